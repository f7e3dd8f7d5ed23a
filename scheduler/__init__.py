"""Time-triggered entry point: lock jobs and reminders (the scheduler issue)."""

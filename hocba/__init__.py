"""The composition root: the ``hocba`` console command wires api/, scheduler/ and workflow/."""

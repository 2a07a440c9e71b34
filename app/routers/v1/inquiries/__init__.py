"""Inquiry routes: send one about a listing; read the received and sent inboxes."""

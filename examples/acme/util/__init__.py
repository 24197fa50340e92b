"""Small utilities shared by the app."""

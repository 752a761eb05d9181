"""Sharing between departments (共享): requests, answers, grants, notifications, and responsiveness.

``init_app`` mounts the JSON API (``/api/v1/share-requests``) and the pages, and gives every page the
signed-in user's count of unread notifications for the header.
"""

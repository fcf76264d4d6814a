from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "rucher.conversations"
    label = "conversations"

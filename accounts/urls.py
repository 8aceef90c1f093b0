from django.urls import path

from accounts import views

app_name = "accounts"

# "settings" comes before <username>; ACCOUNT_USERNAME_BLACKLIST keeps anyone from being called that.
urlpatterns = [
    path("settings/", views.settings_index, name="settings"),
    path("settings/profile/", views.edit_profile, name="edit_profile"),
    path("settings/notifications/", views.notifications, name="notifications"),
    path("settings/data/", views.export_data, name="export_data"),
    path("settings/delete/", views.delete_account, name="delete_account"),
    path("<str:username>/", views.profile, name="profile"),
]

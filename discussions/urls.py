from django.conf import settings
from django.urls import path

from discussions import moderation_views, views

app_name = "discussions"

urlpatterns = [
    path("discussions/articles/<int:article_id>/comments/", views.post_comment, name="post"),
    path("discussions/articles/<int:article_id>/follow/", views.follow_article, name="follow_article"),
    path("discussions/articles/<int:article_id>/lock/", views.lock, name="lock"),
    path("discussions/articles/<int:article_id>/unlock/", views.unlock, name="unlock"),
    path("discussions/articles/<int:article_id>/close/", views.close, name="close"),
    path("discussions/articles/<int:article_id>/reopen/", views.reopen, name="reopen"),
    path("discussions/comments/<int:pk>/", views.comment, name="comment"),
    path("discussions/comments/<int:pk>/reply/", views.reply, name="reply"),
    path("discussions/comments/<int:pk>/edit/", views.edit, name="edit"),
    path("discussions/comments/<int:pk>/delete/", views.delete, name="delete"),
    path("discussions/comments/<int:pk>/vote/", views.vote, name="vote"),
    path("discussions/comments/<int:pk>/report/", views.report, name="report"),
    path("discussions/comments/<int:pk>/follow/", views.follow_thread, name="follow_thread"),
    path("discussions/comments/<int:pk>/pin/", views.pin, name="pin"),
    path("discussions/comments/<int:pk>/move/", views.move, name="move"),
    path("discussions/questions/<int:pk>/unpin/", views.unpin, name="unpin"),
    path("discussions/questions/<int:pk>/close/", views.close_question, name="close_question"),
    path("discussions/questions/<int:pk>/reopen/", views.reopen_question, name="reopen_question"),
    path("discussions/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Moderation
    path("moderation/", moderation_views.queue, name="moderation_queue"),
    path("moderation/reported/", moderation_views.queue, {"tab": "reported"}, name="moderation_reported"),
    path("moderation/recent/", moderation_views.queue, {"tab": "recent"}, name="moderation_recent"),
    path("moderation/suspended/", moderation_views.queue, {"tab": "suspended"}, name="moderation_suspended"),
    path("moderation/comments/<int:pk>/", moderation_views.comment_page, name="moderation_comment"),
    path("moderation/comments/<int:pk>/moderate/", moderation_views.moderate, name="moderate"),
    path("moderation/bulk/", moderation_views.moderate_bulk, name="moderate_bulk"),
    path("moderation/users/<int:pk>/suspend/", moderation_views.suspend, name="suspend"),
    path("moderation/users/find/", moderation_views.find_reader, name="find_reader"),
    path("moderation/suspensions/<int:pk>/lift/", moderation_views.lift_suspension, name="lift_suspension"),
    path("moderation/log/", moderation_views.log, name="moderation_log"),
    # The footer links here when the name resolves, so the path exists only when the log is public
    # (the view checks the setting too).
    *(
        [path("moderation/public-log/", moderation_views.public_log, name="public_log")]
        if settings.QINGTAN["PUBLIC_MODERATION_LOG"]
        else []
    ),
]

from django.urls import path

from discussions import views

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
]

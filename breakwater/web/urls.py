from django.contrib.auth import views as auth_views
from django.urls import include, path

from breakwater.web import channels, live, views

app_name = "web"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", views.inbox, name="inbox"),
    path("events/", live.stream, name="events"),
    path("bulk/", views.bulk, name="bulk"),
    path("c/<int:conversation_id>/", views.conversation, name="conversation"),
    path("c/<int:conversation_id>/update/", views.update, name="update"),
    path("c/<int:conversation_id>/reply/", views.reply, name="reply"),
    path("c/<int:conversation_id>/note/", views.note, name="note"),
    path("c/<int:conversation_id>/presence/", views.presence, name="presence"),
    path("m/<int:message_id>/correct/", views.correct, name="correct"),
    path("m/<int:message_id>/retry/", views.retry, name="retry"),
    path("channels/", channels.channels, name="channels"),
    path("channels/connect/", channels.connect, name="channel_connect"),
    path("channels/<int:channel_id>/pause/", channels.pause, name="channel_pause"),
    path("channels/<int:channel_id>/resume/", channels.resume, name="channel_resume"),
    path("channels/<int:channel_id>/reconnect/", channels.reconnect, name="channel_reconnect"),
    path("channels/<int:channel_id>/disconnect/", channels.disconnect, name="channel_disconnect"),
]

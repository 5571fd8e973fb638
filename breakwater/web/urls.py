from django.contrib.auth import views as auth_views
from django.urls import include, path

from breakwater.web import live, sla, views

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
    path("m/<int:message_id>/correct/", views.correct, name="correct"),
    path("settings/sla/", sla.settings, name="sla"),
    path("settings/sla/hours/", sla.save_hours, name="sla_hours"),
    path("settings/sla/targets/", sla.add_target, name="sla_target_add"),
    path("settings/sla/targets/<int:target_id>/delete/", sla.delete_target, name="sla_target_delete"),
]

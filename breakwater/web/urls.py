from django.contrib.auth import views as auth_views
from django.urls import include, path

from breakwater.web import feedback, live, sla, views

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
    path("settings/sla/targets/<int:target_id>/delete/", sla.delete_target,
         name="sla_target_delete"),
    path("feedback/", feedback.page, name="feedback"),
    path("feedback/forward/", feedback.forward_group, name="feedback_forward_group"),
    path("feedback/forwards/<int:forward_id>/retry/", feedback.retry, name="feedback_retry"),
    path("feedback/destinations/", feedback.add_destination, name="feedback_destination_add"),
    path("feedback/destinations/<int:destination_id>/delete/", feedback.delete_destination,
         name="feedback_destination_delete"),
    path("feedback/categories/", feedback.add_category, name="feedback_category_add"),
    path("feedback/categories/<int:category_id>/", feedback.rename_category,
         name="feedback_category_rename"),
    path("feedback/categories/<int:category_id>/delete/", feedback.delete_category,
         name="feedback_category_delete"),
    path("m/<int:message_id>/feedback/", feedback.tag, name="feedback_tag"),
    path("m/<int:message_id>/feedback/remove/", feedback.untag, name="feedback_untag"),
    path("m/<int:message_id>/forward/", feedback.forward_message, name="feedback_forward"),
]

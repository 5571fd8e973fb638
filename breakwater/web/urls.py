from django.contrib.auth import views as auth_views
from django.urls import include, path

from breakwater.web import live, views

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
]

from breakwater.web import automation  # noqa: E402 -- rules, assignment, workload

urlpatterns += [
    path("rules/", automation.rules, name="rules"),
    path("rules/new/", automation.edit_rule, name="rule_new"),
    path("rules/<int:rule_id>/", automation.edit_rule, name="rule_edit"),
    path("rules/<int:rule_id>/do/", automation.rule_command, name="rule_command"),
    path("assignment/", automation.assignment, name="assignment"),
    path("assignment/<int:policy_id>/delete/", automation.delete_policy, name="policy_delete"),
    path("workload/", automation.workload, name="workload"),
    path("me/availability/", automation.availability, name="availability"),
]

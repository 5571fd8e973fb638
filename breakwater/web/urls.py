from django.contrib.auth import views as auth_views
from django.urls import include, path

from breakwater.web import composer, live, views

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
    path("c/<int:conversation_id>/checks/", composer.draft_checks, name="draft_checks"),
    path("c/<int:conversation_id>/saved-replies/", composer.conversation_saved_replies,
         name="conversation_saved_replies"),
    path("saved-replies/", composer.saved_replies, name="saved_replies"),
    path("saved-replies/<int:saved_reply_id>/", composer.saved_reply_change,
         name="saved_reply_change"),
    path("guidelines/", composer.guidelines, name="guidelines"),
    path("approvals/", composer.approvals, name="approvals"),
    path("approvals/<int:approval_id>/", composer.approval_decide, name="approval_decide"),
    path("approvals/policy/", composer.approval_policy, name="approval_policy"),
]

from django.contrib.auth import views as auth_views
from django.urls import include, path

from breakwater.web import automation, channels, composer, feedback, live, publishing, sla, views
from breakwater.web import reports
from breakwater.web import media as media_views

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
    path("m/<int:message_id>/act/", views.act, name="act"),
    path("m/<int:message_id>/media/<int:index>/", views.media, name="media"),
    path("channels/", channels.channels, name="channels"),
    path("channels/connect/", channels.connect, name="channel_connect"),
    path("channels/oauth/", channels.oauth_start, name="channel_oauth"),
    path("channels/oauth/callback/", channels.oauth_callback, name="channel_oauth_callback"),
    path("channels/<int:channel_id>/pause/", channels.pause, name="channel_pause"),
    path("channels/<int:channel_id>/resume/", channels.resume, name="channel_resume"),
    path("channels/<int:channel_id>/reconnect/", channels.reconnect, name="channel_reconnect"),
    path("channels/<int:channel_id>/disconnect/", channels.disconnect, name="channel_disconnect"),
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

urlpatterns += [  # automation: rules, assignment, workload; then the composer's pages
    path("rules/", automation.rules, name="rules"),
    path("rules/new/", automation.edit_rule, name="rule_new"),
    path("rules/<int:rule_id>/", automation.edit_rule, name="rule_edit"),
    path("rules/<int:rule_id>/do/", automation.rule_command, name="rule_command"),
    path("assignment/", automation.assignment, name="assignment"),
    path("assignment/<int:policy_id>/delete/", automation.delete_policy, name="policy_delete"),
    path("workload/", automation.workload, name="workload"),
    path("me/availability/", automation.availability, name="availability"),
    # composer: draft checks, saved replies, guidelines, approvals
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

urlpatterns += [  # reports: the overview dashboard, its exports and the scheduled reports
    path("reports/", reports.overview, name="reports"),
    path("reports/overview.pdf", reports.pdf, name="report_pdf"),
    path("reports/drill/<slug:key>/", reports.drill, name="report_drill"),
    path("reports/export/<slug:key>.<str:fmt>", reports.export, name="report_export"),
    path("reports/schedules/", reports.schedules, name="report_schedules"),
    path("reports/schedules/<int:schedule_id>/", reports.schedule_edit, name="report_schedule"),
    path("reports/schedules/<int:schedule_id>/delete/", reports.schedule_delete,
         name="report_schedule_delete"),
]

urlpatterns += [  # publishing: calendar, composer, queue, campaigns, digest
    path("publishing/", publishing.calendar_view, name="publishing"),
    path("publishing/posts/new/", publishing.new_post, name="publishing_new"),
    path("publishing/preview/", publishing.live_preview, name="publishing_preview"),
    path("publishing/posts/<int:post_id>/", publishing.post_view, name="publishing_post"),
    path("publishing/posts/<int:post_id>/reschedule/", publishing.reschedule,
         name="publishing_reschedule"),
    path("publishing/posts/<int:post_id>/delete/", publishing.delete_post,
         name="publishing_delete"),
    path("publishing/queue/", publishing.queue_settings, name="publishing_queue"),
    path("publishing/campaigns/", publishing.campaign_list, name="publishing_campaigns"),
    path("publishing/campaigns/<int:campaign_id>/", publishing.campaign_view,
         name="publishing_campaign"),
    path("publishing/digest/", publishing.digest, name="publishing_digest"),
]

urlpatterns += [  # media library
    path("media/", media_views.library, name="media"),
    path("media/upload/", media_views.upload, name="media_upload"),
    path("media/<int:media_id>/", media_views.detail, name="media_detail"),
    path("media/<int:media_id>/file/", media_views.file, name="media_file"),
    path("media/<int:media_id>/thumb/", media_views.thumb, name="media_thumb"),
    path("media/<int:media_id>/update/", media_views.update, name="media_update"),
    path("media/<int:media_id>/fix/", media_views.fix, name="media_fix"),
]

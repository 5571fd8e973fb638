from django.urls import path

from breakwater.web import views

app_name = "web"
urlpatterns = [
    path("", views.inbox, name="inbox"),
]

from django.contrib import admin

from .models import (
    AnswerClass,
    Channel,
    Consultation,
    Document,
    Opinion,
    OpinionGroup,
    ResultEvent,
    Submission,
)


@admin.register(AnswerClass)
class AnswerClassAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "description", "reflected", "order"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "web", "order"]


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "starts_at", "ends_at", "announced", "result_state"]
    list_filter = ["announced", "result_state"]
    search_fields = ["title", "department"]
    inlines = [DocumentInline]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "consultation", "channel", "received_on"]
    list_filter = ["channel"]


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    list_display = ["id", "consultation", "submission", "group"]


@admin.register(OpinionGroup)
class OpinionGroupAdmin(admin.ModelAdmin):
    list_display = ["consultation", "number", "answer_class"]


@admin.register(ResultEvent)
class ResultEventAdmin(admin.ModelAdmin):
    list_display = ["consultation", "state", "note", "user", "at"]

"""The API base: serializers and viewsets that apply the user's area before anything else."""

from __future__ import annotations

import copy

from django.db.models import Manager, ProtectedError
from drf_spectacular import openapi
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from poverty.personal.access import record_access
from poverty.personal.masking import MASKED_SCHEMAS, shown

from .apiconf import method_action
from .forms import OUT_OF_SCOPE
from .scoping import ScopedQuerySet, in_scope


class ScopedSerializer(serializers.ModelSerializer):
    """Related-object choices limited to what the user may see; the result must be in scope.

    `sensitive_fields` maps a field to its kind ("phone", "id_number"): masked in responses
    for users without the sensitive-data permission.
    """

    sensitive_fields: dict[str, str] = {}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)  # no request: masked, the safe default
        for name, kind in self.sensitive_fields.items():
            if name in data:
                data[name] = shown(data[name], kind, user)
        return data

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, Manager):
                queryset = queryset.all()
            if request is not None and isinstance(queryset, ScopedQuerySet):
                field.queryset = queryset.restrict(request.user, "view")
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        request = self.context["request"]
        # Judge the object as it would be after the write, without touching the stored one.
        probe = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        many = {f.name for f in probe._meta.many_to_many}
        for key, value in attrs.items():
            if key not in many:  # many-to-many values are checked by the serializer itself
                setattr(probe, key, value)
        if not in_scope(probe, request.user, method_action(request)):
            raise serializers.ValidationError(OUT_OF_SCOPE)
        full_clean_errors = _model_errors(probe)
        if full_clean_errors:
            raise serializers.ValidationError(full_clean_errors)
        return attrs


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, except that a ScopedSerializer's `sensitive_fields` are described in
    responses as what users without the permission get (139****5678), while requests keep the
    field's own rule (COMPONENT_SPLIT_REQUEST gives them their own components)."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        kind = getattr(field.parent, "sensitive_fields", {}).get(field.field_name)
        if kind and direction == "response" and schema is not None:
            rule = {k: v for k, v in schema.items() if k not in ("oneOf", "pattern", "maxLength")}
            schema = {**rule, **MASKED_SCHEMAS[kind]}
        return schema


def _model_errors(instance) -> dict:
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(validate_unique=True)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _refuse_locked(instance) -> None:
    reason = instance.locked_reason() if hasattr(instance, "locked_reason") else ""
    if reason:
        raise PermissionDenied(reason)


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """restrict(user, action-for-method) before anything else: out of scope is a 404."""

    select_related: tuple[str, ...] = ()
    # For an endpoint whose rows hold personal data: what the access log calls a read, and
    # whose rows they are ("households" or "cadres"). Each row a response shows in full is
    # logged (poverty.personal.access).
    personal_access: str | None = None
    personal_of: str = "households"
    # Actions that only read whatever their method (apiconf.method_action).
    read_actions: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = self.queryset.model.objects.restrict(
            self.request.user, method_action(self.request, self)
        )
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if self.personal_access and response.status_code == 200 and data:
            rows = data.get("results", [data]) if isinstance(data, dict) else data
            ids = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
            record_access(user=request.user, what=self.personal_access, **{self.personal_of: ids})
        return response


class ScopedViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedReadOnlyViewSet,
):
    """A scoped endpoint that also writes, as the user's role permits (apiconf.RolePermission);
    locked records refuse edits and deletion."""

    def update(self, request, *args, **kwargs):
        _refuse_locked(self.get_object())  # before the data is judged: no edit at all
        return super().update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        _refuse_locked(instance)
        super().perform_destroy(instance)

    def destroy(self, request, *args, **kwargs):
        try:
            return super().destroy(request, *args, **kwargs)
        except ProtectedError:
            return Response(
                {"detail": "该记录仍被其他记录引用，不能删除。"}, status=status.HTTP_409_CONFLICT
            )

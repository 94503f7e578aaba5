"""The admin site, refusing staff who must pass the second factor and have not."""

from django.contrib import admin
from django.http import HttpRequest

from mie_dx.two_factor.policy import is_verified, second_factor_due


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return is_verified(request.user) or not second_factor_due(request.user)

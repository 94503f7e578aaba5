"""The 403 page: in the portal's language, saying which role a page is for and whom to ask.

Which roles may open a page is worked out from what the apps declare for each role
(`role_permissions`, mie_dx.registry), by the page's URL:
- an admin page of a model (`admin:<app>_<model>_<view>`): the roles that may view or change
  that model;
- another admin page of an app (check-in, cancelling a seminar): the roles that may change
  something in it;
- an app's own pages (`/kpi/`, `/training/`): the roles holding the view's
  `permission_required` (PermissionRequiredMixin), or else the roles with any permission in
  that app.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseForbidden
from django.template import loader
from django.urls import Resolver404, resolve

from mie_dx.registry import role_permissions
from mie_dx.roles import ALL_ROLES


def roles_for_path(path: str) -> list[str]:
    """The roles (group names, in mie_dx.roles order) that may open `path`; [] when unknown."""
    try:
        match = resolve(path)
    except Resolver404:
        return []
    declared = role_permissions()

    def roles_with(test: Callable[[str], bool]) -> list[str]:
        return [role for role in ALL_ROLES if any(test(p) for p in declared.get(role, []))]

    if match.namespace == "admin":
        labels = {p.split(".", 1)[0] for perms in declared.values() for p in perms}
        name = match.url_name or ""
        app = next((label for label in labels if name.startswith(f"{label}_")), None)
        if app is None:
            return []
        model = name[len(app) + 1 :].rsplit("_", 1)[0]
        by_model = roles_with(lambda p: p in (f"{app}.view_{model}", f"{app}.change_{model}"))
        if by_model:
            return by_model
        return roles_with(lambda p: p.startswith(f"{app}.") and ".view_" not in p)
    required = getattr(getattr(match.func, "view_class", None), "permission_required", None)
    if required:
        needed = {required} if isinstance(required, str) else set(required)
        return [role for role in ALL_ROLES if needed <= set(declared.get(role, []))]
    app = match.namespace or (match.app_name or "")
    return roles_with(lambda p: p.startswith(f"{app}.")) if app else []


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponseForbidden:
    """handler403 (mie_dx.urls): templates/403.html with the roles the page is for."""
    template = loader.get_template("403.html")
    context = {"roles": roles_for_path(request.path_info)}
    return HttpResponseForbidden(template.render(context, request))

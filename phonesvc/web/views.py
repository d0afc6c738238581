"""Which module answers each tab (dispatch.VIEWS): one line per tab here, so that dispatch.py, which the
pages import for its helpers, imports none of them."""

from __future__ import annotations

from phonesvc.domain.privileges import DIVERSIONS, MAGROUP, PLATFORM
from phonesvc.web import (
    div_callhandler,
    div_groups,
    div_reports,
    div_state,
    ma_groups,
    ma_settings,
    ma_vip,
    reports,
    users,
)
from phonesvc.web.dispatch import VIEWS

VIEWS[(MAGROUP, "groups")] = ma_groups.page
VIEWS[(MAGROUP, "settings")] = ma_settings.page
VIEWS[(MAGROUP, "vip")] = ma_vip.page
VIEWS[(MAGROUP, "reports")] = reports.page
VIEWS[(DIVERSIONS, "state")] = div_state.page
VIEWS[(DIVERSIONS, "groups")] = div_groups.page
VIEWS[(DIVERSIONS, "callhandler")] = div_callhandler.page
VIEWS[(DIVERSIONS, "reports")] = div_reports.page
VIEWS[(PLATFORM, "users")] = users.page

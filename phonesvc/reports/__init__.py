"""ManagerAssistant Group's reports (the manual's "Reports"): details, call count and call duration, for a
period and a scope, computed by SQL aggregation over the indexed call log (call_log, call_members), and
their Excel export. The web tab (phonesvc/web/reports*.py) shows them."""

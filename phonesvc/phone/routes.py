"""Which page and action run which screen."""

from __future__ import annotations

from phonesvc.phone.views import admin, calls, display, diversions, forwarding, groups, menu, status, vip

# ManagerAssistant Group: PhoneMenu.asp, OneButton.asp and IndependentServices.asp?action=...
MA_VIEWS = {
    "menu": menu.main_menu,
    "statusDisplay": display.status_display,
    "memberActions": display.member_actions,
    "statusMembers": display.status_members,
    "oneButton": calls.one_button,
    "transferCall": calls.transfer_call,
    "completeTransfer": calls.complete_transfer,
    "cancelTransfer": calls.cancel_transfer,
    "pickupCalls": calls.pickup_calls,
    "directCall": calls.direct_call,
    "changeGroup": groups.change_group,
    "changeStatus": status.change_status,
    "statusMessage": status.status_message,
    "saveStatus": status.save_status,
    "teamStatus": status.team_status,
    "setForwarding": forwarding.set_forwarding_menu,
    "forwardNumber": forwarding.forward_number,
    "saveForwarding": forwarding.save_forwarding,
    "vipList": vip.vip_list,
    "vipAdd": vip.vip_add,
    "vipRemove": vip.vip_remove,
    # the Groups menu
    "groups": admin.groups_menu,
    "createGroup": admin.create_group,
    "createGroupSave": admin.create_group_save,
    "editGroup": admin.edit_group,
    "groupField": admin.group_field,
    "managerOptions": admin.manager_options,
    "notifications": admin.notifications,
    "saveGroup": admin.save_group,
    "overflow": admin.overflow,
    "overflowNumber": admin.overflow_number,
    "overflowSave": admin.overflow_save,
    "greeting": admin.greeting,
    "announcements": admin.announcement_menu,
    "announcementDo": admin.announcement_do,
    "members": admin.edit_members,
    "memberEdit": admin.member_edit,
    "memberSave": admin.member_save,
    "addMember": admin.add_member,
    "addMemberSave": admin.add_member_save,
    "deleteGroup": admin.delete_group,
    "joinGroup": admin.join_group,
    "leaveGroup": admin.leave_group,
}
# pages with a fixed screen
PAGE_ACTIONS = {"phonemenu.asp": "menu", "onebutton.asp": "oneButton", "statusdisplay.asp": "statusDisplay"}

DIVERSION_VIEWS = {"toggle": diversions.toggle_diversion}


def view_for(app: str, page: str, action: str):
    """The screen of a request to src/<page>, or None."""
    page = page.casefold()
    if app == "div":
        return DIVERSION_VIEWS["toggle"] if page == "phoneservice.asp" else None
    if page in PAGE_ACTIONS:
        return MA_VIEWS[PAGE_ACTIONS[page]]
    return MA_VIEWS.get(action) if page == "independentservices.asp" else None

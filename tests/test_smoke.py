def test_demo_group_45_lists_its_assistants(rest, demo_data):
    reply = rest("members/getMembers", gm_type=0, gr_id=45)
    assert reply.request == "getMembers"
    names = [m["firstName"] for m in reply.items("member")]
    assert names == ["Rafael", "Aradhana", "Léonard", "San", "Emilia"]

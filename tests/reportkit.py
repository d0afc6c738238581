"""A known month of calls for the report tests (August 2024, local time), made through the simulator and the
router on a manual clock and written to the call log as the server writes it:

MA Group (8973): manager Tijana 1047, assistants Rafael 1175, Aradhana 1068, Léonard 1118 (30 s / 15 s).
Support & <Co> (8974): manager Zoë 1200, assistant Ágnes 1201.

  Mon 5 Aug 09:00  c1  Tijana answers at 10 s, the caller hangs up at 70 s
  Mon 5 Aug 10:00  c2  rings Tijana, Rafael (30 s), Aradhana (45 s), who answers at 50 s; ends at 110 s
  Mon 5 Aug 11:00  c3  nobody answers: Tijana, Rafael, Aradhana, Léonard, busy at 75 s
  Tue 6 Aug 09:00  c4  Tijana answers at 5 s, blind transfer to Rafael at 20 s, who answers at 25 s; ends at 85 s
  Tue 6 Aug 14:00  c5  a VIP of Tijana; she answers at 3 s, ends at 33 s
  Wed 7 Aug 16:00  c6  from abroad, no name: rings Tijana, Rafael, Aradhana, Léonard, overflow to 5550100 at 75 s
  Wed 7 Aug 16:30  o1  Rafael calls outside, answered at 4 s, ends at 94 s
  Wed 7 Aug 17:00  o2  Aradhana calls Léonard, nobody answers, she hangs up at 20 s
  Thu 8 Aug 09:00  s1  Support: Zoë answers at 6 s, ends at 36 s
  Wed 31 Jul 23:00 j1  (July) Tijana answers at 2 s, ends at 12 s
"""

from __future__ import annotations

from datetime import datetime

from phonesvc.store.calllog import add_calls
from tests.routingkit import Rig, run

TIJANA, RAFAEL, ARADHANA, LEONARD, ZOE, AGNES = "1047", "1175", "1068", "1118", "1200", "1201"
VIP, OUTSIDE, ABROAD = "0711555", "0800123456", "004930123456"
AUGUST = (2024, 8)


def at(day: int, hour: int, minute: int = 0, month: int = 8) -> float:
    return datetime(2024, month, day, hour, minute).timestamp()


async def _move_to(rig: Rig, moment: float) -> None:
    await rig.advance(moment - rig.clock.now())


async def _inbound(rig: Rig, moment: float, script, to: str = "8973", caller: str = OUTSIDE,
                   name: str = "Ada Caller") -> None:
    await _move_to(rig, moment)
    call = await rig.call(to=to, caller=caller, name=name)
    await script(call)


def build(rig: Rig) -> dict[str, int]:
    """Configure both groups, make the calls, write the records; returns the group ids."""
    ma = rig.group("MA Group", "8973", overflow="-3")
    manager = rig.member(ma, "Tijana.Vlahovic", TIJANA, manager=True, first="Tijana", last="Vlahović")
    rig.member(ma, "Rafael", RAFAEL, first="Rafael", last="Núñez")
    rig.member(ma, "Aradhana", ARADHANA, first="Aradhana", last="D'Aubigné")
    rig.member(ma, "Leonard", LEONARD, first="Léonard", last="Saligny & <Co>")
    rig.vip(manager, VIP)
    support = rig.group("Support & <Co>", "8974", overflow="-3")
    rig.member(support, "Zoe", ZOE, manager=True, first="Zoë", last="Ødegård")
    rig.member(support, "Agnes", AGNES, first="Ágnes", last="Kovačević")

    async def month() -> None:
        async def c_answer(line: str, after: float, end: float):
            async def script(call: str) -> None:
                await rig.advance(after)
                await rig.answer(line, call)
                await rig.advance(end - after)
                await rig.act(rig.sim.hang_up_external(call))
            return script

        async def ring_out(seconds: float):
            async def script(call: str) -> None:
                await rig.advance(seconds)
            return script

        async def transfer(call: str) -> None:
            await rig.advance(5)
            await rig.answer(TIJANA, call)
            await rig.advance(15)
            await rig.act(rig.sim.blind_transfer(call, TIJANA, RAFAEL))
            await rig.advance(5)
            await rig.answer(RAFAEL, call)
            await rig.advance(60)
            await rig.act(rig.sim.hang_up_external(call))

        await _inbound(rig, at(31, 23, month=7), await c_answer(TIJANA, 2, 12))
        await _inbound(rig, at(5, 9), await c_answer(TIJANA, 10, 70))
        await _inbound(rig, at(5, 10), await c_answer(ARADHANA, 50, 110))
        await _inbound(rig, at(5, 11), await ring_out(90))
        await _inbound(rig, at(6, 9), transfer)
        await _inbound(rig, at(6, 14), await c_answer(TIJANA, 3, 33), caller=VIP)
        rig.edit(ma, overflow="5550100")
        await _inbound(rig, at(7, 16), await ring_out(80), caller=ABROAD, name="")
        rig.edit(ma, overflow="-3")
        await _move_to(rig, at(7, 16, 30))
        out = await rig.sim.make_call(RAFAEL, ABROAD)
        await rig.advance(4)
        await rig.act(rig.sim.answer_external(out))
        await rig.advance(90)
        await rig.act(rig.sim.hang_up(out, RAFAEL))
        await _move_to(rig, at(7, 17))
        unanswered = await rig.sim.make_call(ARADHANA, LEONARD)
        await rig.advance(20)
        await rig.act(rig.sim.hang_up(unanswered, ARADHANA))
        await _inbound(rig, at(8, 9), await c_answer(ZOE, 6, 36), to="8974")

    rig.clock.advance(at(1, 0, month=7) - rig.clock.now())
    run(month())
    with rig.store.log_write() as conn:
        add_calls(conn, rig.records)
    return {"ma": ma, "support": support}

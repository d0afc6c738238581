"""Team member ringtone notifications: the tones a Cisco IP phone plays (`Play:<file>`).

The system phone tones are the ring files Cisco Unified CM ships on its TFTP server (the default
RingList.xml): every phone can play them without an upload. A group may also name another .raw file that
an administrator put on the TFTP server (REST accepts any plain file name); the web offers it too then."""

from __future__ import annotations

PHONE_TONES = (
    "Analog1.raw", "Analog2.raw", "AreYouThere.raw", "Bass.raw", "CallBack.raw", "Chime.raw", "Classic1.raw",
    "Classic2.raw", "ClockShop.raw", "Drums1.raw", "Drums2.raw", "FilmScore.raw", "HarpSynth.raw",
    "Jamaica.raw", "KotoEffect.raw", "MusicBox.raw", "Piano1.raw", "Piano2.raw", "Pop.raw", "Pulse1.raw",
    "Sax1.raw", "Sax2.raw", "Vibe.raw",
)

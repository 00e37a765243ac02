#!/usr/bin/env python3
"""Writes the G.711 reference vectors used by test/unit/media/g711.test.ts.

The reference is Python's `audioop` (deprecated in 3.11, removed in 3.13), which
implements the Sun/CCITT g711.c tables. Run it with Python 3.12 or older:

    python3 scripts/gen-g711-vectors.py

Outputs, in test/fixtures/g711/:
  ulaw-encode.bin, alaw-encode.bin  65 536 bytes: the code for each int16 input -32768..32767
  ulaw-decode.bin, alaw-decode.bin  256 int16 little-endian: the linear value of each code 0..255
"""
import array
import pathlib
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "test" / "fixtures" / "g711"
out.mkdir(parents=True, exist_ok=True)

pcm = array.array("h", range(-32768, 32768))
if sys.byteorder != "little":
    pcm.byteswap()
pcm_bytes = pcm.tobytes()
codes = bytes(range(256))


def le16(raw: bytes) -> bytes:
    """audioop works in native byte order; the fixtures are little-endian."""
    if sys.byteorder == "little":
        return raw
    a = array.array("h")
    a.frombytes(raw)
    a.byteswap()
    return a.tobytes()


files = {
    "ulaw-encode.bin": audioop.lin2ulaw(pcm_bytes, 2),
    "alaw-encode.bin": audioop.lin2alaw(pcm_bytes, 2),
    "ulaw-decode.bin": le16(audioop.ulaw2lin(codes, 2)),
    "alaw-decode.bin": le16(audioop.alaw2lin(codes, 2)),
}
for name, data in files.items():
    (out / name).write_bytes(data)
    print(f"{name}: {len(data)} bytes")

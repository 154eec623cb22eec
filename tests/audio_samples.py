"""Small, well-formed audio files of each accepted format, built here (no binary files in the
repository): WebM as Chromium's MediaRecorder writes it (unknown-size Segment and Clusters),
Ogg Opus (page checksums computed by a plain bitwise CRC, independent of the application's),
WAV from the standard library's writer, M4A and MP3 frames."""

from __future__ import annotations

import io
import struct
import wave

# --- WebM ---------------------------------------------------------------------------------------


def _size(n: int) -> bytes:
    if n < 0x7F:
        return bytes([0x80 | n])
    return b"\x01" + n.to_bytes(7, "big")


def ebml(element_id: int, *children: bytes) -> bytes:
    body = b"".join(children)
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big") + _size(len(body)) + body


def _uint(element_id: int, value: int) -> bytes:
    return ebml(element_id, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


UNKNOWN_SIZE = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def webm(clusters: int = 3, blocks: int = 5) -> bytes:
    header = ebml(0x1A45DFA3, _uint(0x4286, 1), _uint(0x42F7, 1), ebml(0x4282, b"webm"))
    info = ebml(0x1549A966, _uint(0x2AD7B1, 1_000_000), ebml(0x4D80, b"Chrome"))
    track = ebml(
        0xAE,
        _uint(0xD7, 1),
        _uint(0x73C5, 1),
        _uint(0x83, 2),  # audio
        ebml(0x86, b"A_OPUS"),
        ebml(0xE1, _uint(0xB5, 48000), _uint(0x9F, 1)),
    )
    body = [info, ebml(0x1654AE6B, track)]
    for c in range(clusters):
        body.append(bytes.fromhex("1F43B675") + UNKNOWN_SIZE + _uint(0xE7, c * 100))
        for b in range(blocks):
            body.append(ebml(0xA3, b"\x81" + (b * 20).to_bytes(2, "big") + b"\x80" + bytes(40)))
    return header + bytes.fromhex("18538067") + UNKNOWN_SIZE + b"".join(body)


# --- Ogg ----------------------------------------------------------------------------------------


def _reference_ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def ogg_page(packet: bytes, *, flags: int, sequence: int, granule: int = 0) -> bytes:
    lacing = [255] * (len(packet) // 255) + [len(packet) % 255]
    header = struct.pack(
        "<4sBBqIIIB", b"OggS", 0, flags, granule, 0x1234, sequence, 0, len(lacing)
    ) + bytes(lacing)
    page = header + packet
    crc = _reference_ogg_crc(page)
    return page[:22] + struct.pack("<I", crc) + page[26:]


def ogg_opus(pages: int = 4) -> bytes:
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 7) + b"Firefox" + struct.pack("<I", 0)
    out = [ogg_page(head, flags=0x02, sequence=0), ogg_page(tags, flags=0, sequence=1)]
    for n in range(pages):
        last = n == pages - 1
        packet = bytes((n + i) % 256 for i in range(300))
        out.append(ogg_page(packet, flags=0x04 if last else 0, sequence=n + 2, granule=960 * n))
    return b"".join(out)


# --- WAV, MP4, MP3 ------------------------------------------------------------------------------


def wav(seconds: float = 0.1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16000)
        writer.writeframes(bytes(int(16000 * seconds) * 2))
    return buffer.getvalue()


def _box(box_type: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + box_type + body


def m4a() -> bytes:
    ftyp = _box(b"ftyp", b"M4A " + struct.pack(">I", 0) + b"M4A isommp42")
    moov = _box(b"moov", _box(b"mvhd", bytes(100)) + _box(b"trak", _box(b"tkhd", bytes(84))))
    return ftyp + moov + _box(b"mdat", bytes(500))


def mp3(frames: int = 10, id3: bool = True) -> bytes:
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 20]) + bytes(20) if id3 else b""
    frame = bytes.fromhex("FFFB9000") + bytes(417 - 4)  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
    return tag + frame * frames


SAMPLES = {
    "enregistrement.webm": ("audio/webm", webm),
    "enregistrement.ogg": ("audio/ogg", ogg_opus),
    "enregistrement.wav": ("audio/wav", wav),
    "enregistrement.m4a": ("audio/mp4", m4a),
    "enregistrement.mp3": ("audio/mpeg", mp3),
}

"""Checks that an uploaded recording is, from its first byte to its last, the container it claims
to be (pure Python, no decoding).

Leading "magic" bytes are easy to forge: a file that starts with them and goes on with HTML or
anything else is refused here. Each format is walked to the end of the file:

- WebM/Matroska (what Chromium's MediaRecorder records): the EBML header with DocType "webm" or
  "matroska", then one Segment whose elements (known or, as recorders write them, unknown size)
  are Matroska's and fit in the file, with at least one audio track;
- Ogg (Firefox): pages one after the other to the end, each with a correct CRC, the first one
  starting an Opus, Vorbis, FLAC or Speex stream;
- WAV: the RIFF size matches the file, a "fmt " chunk then a "data" chunk, every chunk within
  bounds;
- MP4/M4A (Safari): boxes whose sizes chain to the end of the file, "ftyp" first, a "moov";
- MP3: an optional ID3v2 tag, then MPEG audio frames one after the other to the end (an ID3v1
  tag may close the file).
"""

from __future__ import annotations

import struct
import zlib


class InvalidContainer(ValueError):
    """The bytes are not a well-formed file of the expected format."""


def check_container(mime: str, data: bytes) -> None:
    """:raises InvalidContainer: ``data`` is not a complete, well-formed ``mime`` file."""
    checker = _CHECKERS.get(mime)
    if checker is None:
        raise InvalidContainer(f"no checker for {mime}")
    try:
        checker(data)
    except (IndexError, struct.error) as exc:  # read past the end: a truncated structure
        raise InvalidContainer(f"truncated: {exc}") from exc


# --- WebM / Matroska (EBML) ----------------------------------------------------------------------

_EBML = 0x1A45DFA3
_DOCTYPE = 0x4282
_SEGMENT = 0x18538067
_CLUSTER = 0x1F43B675
_TRACKS = 0x1654AE6B
_TRACK_ENTRY = 0xAE
_TRACK_TYPE = 0x83
_VOID, _CRC32 = 0xEC, 0xBF
_AUDIO_TRACK = 2
# Children of a Segment (Matroska level 1).
_SEGMENT_CHILDREN = {
    0x114D9B74,  # SeekHead
    0x1549A966,  # Info
    _TRACKS,
    _CLUSTER,
    0x1C53BB6B,  # Cues
    0x1941A469,  # Attachments
    0x1043A770,  # Chapters
    0x1254C367,  # Tags
    _VOID,
    _CRC32,
}
# Children of a Cluster.
_CLUSTER_CHILDREN = {
    0xE7,  # Timestamp
    0x5854,  # SilentTracks
    0xA7,  # Position
    0xAB,  # PrevSize
    0xA3,  # SimpleBlock
    0xA0,  # BlockGroup
    0xAF,  # EncryptedBlock
    _VOID,
    _CRC32,
}
_UNKNOWN = -1


def _element_id(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    length = 1
    mask = 0x80
    while length <= 4 and not first & mask:
        mask >>= 1
        length += 1
    if length > 4:
        raise InvalidContainer(f"bad element id at {pos}")
    if pos + length > len(data):
        raise InvalidContainer(f"element id past the end at {pos}")
    return int.from_bytes(data[pos : pos + length], "big"), pos + length


def _element_size(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8:
        raise InvalidContainer(f"bad element size at {pos}")
    if pos + length > len(data):
        raise InvalidContainer(f"element size past the end at {pos}")
    value = first & (mask - 1)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    if value == (1 << (7 * length)) - 1:  # all ones: size unknown (live recorders)
        return _UNKNOWN, pos + length
    return value, pos + length


def _element(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(id, start of data, end of data or _UNKNOWN) of the element at ``pos``."""
    element_id, pos = _element_id(data, pos)
    size, pos = _element_size(data, pos)
    if size == _UNKNOWN:
        return element_id, pos, _UNKNOWN
    if pos + size > end:
        raise InvalidContainer(f"element {element_id:#x} ends past its parent ({pos + size})")
    return element_id, pos, pos + size


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """The elements of known size that exactly fill ``data[start:end]``."""
    found = []
    pos = start
    while pos < end:
        element_id, body, stop = _element(data, pos, end)
        if stop == _UNKNOWN:
            raise InvalidContainer(f"unknown size inside a sized element at {pos}")
        found.append((element_id, body, stop))
        pos = stop
    return found


def _has_audio_track(data: bytes, start: int, end: int) -> bool:
    for element_id, body, stop in _children(data, start, end):
        if element_id != _TRACK_ENTRY:
            continue
        for child_id, child_body, child_stop in _children(data, body, stop):
            value = int.from_bytes(data[child_body:child_stop], "big")
            if child_id == _TRACK_TYPE and value == _AUDIO_TRACK:
                return True
    return False


def _check_cluster(data: bytes, pos: int, end: int, sized: bool) -> int:
    """Walk a cluster's children from ``pos``; :returns: where the cluster ends. An unknown-size
    cluster ends at the next element that is not one of its children (or at ``end``)."""
    while pos < end:
        element_id, body, stop = _element(data, pos, end)
        if element_id not in _CLUSTER_CHILDREN:
            if not sized and element_id in _SEGMENT_CHILDREN:
                return pos
            raise InvalidContainer(f"unexpected element {element_id:#x} in a cluster at {pos}")
        if stop == _UNKNOWN:
            raise InvalidContainer(f"unknown size in a cluster at {pos}")
        pos = stop
    return pos


def check_webm(data: bytes) -> None:
    element_id, body, stop = _element(data, 0, len(data))
    if element_id != _EBML or stop == _UNKNOWN:
        raise InvalidContainer("no EBML header")
    doctypes = [data[b:s] for i, b, s in _children(data, body, stop) if i == _DOCTYPE]
    if not doctypes or doctypes[0].rstrip(b"\0") not in (b"webm", b"matroska"):
        raise InvalidContainer("not a WebM/Matroska document")
    pos = stop
    while pos < len(data):  # Void elements may come before the Segment
        element_id, body, stop = _element(data, pos, len(data))
        if element_id != _VOID:
            break
        pos = stop
    if element_id != _SEGMENT:
        raise InvalidContainer("no Segment after the EBML header")
    segment_end = len(data) if stop == _UNKNOWN else stop
    if segment_end != len(data):
        raise InvalidContainer("bytes after the Segment")
    pos = body
    audio = False
    while pos < segment_end:
        element_id, body, stop = _element(data, pos, segment_end)
        if element_id not in _SEGMENT_CHILDREN:
            raise InvalidContainer(f"unexpected element {element_id:#x} in the Segment at {pos}")
        if element_id == _CLUSTER:
            sized = stop != _UNKNOWN
            pos = _check_cluster(data, body, stop if sized else segment_end, sized)
            continue
        if stop == _UNKNOWN:
            raise InvalidContainer(f"unknown size of element {element_id:#x} at {pos}")
        if element_id == _TRACKS:
            audio = audio or _has_audio_track(data, body, stop)
        pos = stop
    if not audio:
        raise InvalidContainer("no audio track")


# --- Ogg ----------------------------------------------------------------------------------------

_OGG_HEADER = struct.Struct("<4sBBqIIIB")
_OGG_CODECS = (b"OpusHead", b"\x01vorbis", b"\x7fFLAC", b"Speex   ")
# Ogg's CRC is the non-reflected CRC-32 (polynomial 0x04C11DB7, initial value and final XOR 0).
# zlib computes the reflected one: on bit-reversed bytes it gives the bit-reversed result.
_REVERSED_BYTES = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def _ogg_crc(page: bytes) -> int:
    reflected = zlib.crc32(page.translate(_REVERSED_BYTES), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{reflected:032b}"[::-1], 2)


def check_ogg(data: bytes) -> None:
    pos = 0
    first = True
    while pos < len(data):
        if len(data) - pos < _OGG_HEADER.size:
            raise InvalidContainer(f"truncated page header at {pos}")
        capture, version, flags, _granule, _serial, _seq, crc, segments = _OGG_HEADER.unpack_from(
            data, pos
        )
        if capture != b"OggS" or version != 0:
            raise InvalidContainer(f"no Ogg page at {pos}")
        table_end = pos + _OGG_HEADER.size + segments
        if table_end > len(data):
            raise InvalidContainer(f"truncated segment table at {pos}")
        page_end = table_end + sum(data[pos + _OGG_HEADER.size : table_end])
        if page_end > len(data):
            raise InvalidContainer(f"page past the end at {pos}")
        page = bytearray(data[pos:page_end])
        page[22:26] = b"\0\0\0\0"
        if _ogg_crc(bytes(page)) != crc:
            raise InvalidContainer(f"bad page checksum at {pos}")
        if first:
            if not flags & 0x02 or not data[table_end:page_end].startswith(_OGG_CODECS):
                raise InvalidContainer("the first page does not start an audio stream")
            first = False
        pos = page_end
    if first:
        raise InvalidContainer("no Ogg page")


# --- WAV (RIFF) ---------------------------------------------------------------------------------


def check_wav(data: bytes) -> None:
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise InvalidContainer("not a RIFF/WAVE file")
    if struct.unpack_from("<I", data, 4)[0] + 8 != len(data):
        raise InvalidContainer("the RIFF size does not match the file")
    pos = 12
    fmt = False
    audio = False
    while pos < len(data):
        if len(data) - pos < 8:
            raise InvalidContainer(f"truncated chunk header at {pos}")
        chunk_id = data[pos : pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        if not all(0x20 <= c <= 0x7E for c in chunk_id):
            raise InvalidContainer(f"bad chunk id at {pos}")
        end = pos + 8 + size
        if end > len(data):
            raise InvalidContainer(f"chunk {chunk_id!r} past the end")
        if chunk_id == b"fmt ":
            if size < 16:
                raise InvalidContainer("fmt chunk too short")
            _format, channels, rate = struct.unpack_from("<HHI", data, pos + 8)
            if not channels or not rate:
                raise InvalidContainer("no channel or no sample rate")
            fmt = True
        elif chunk_id == b"data":
            if not fmt:
                raise InvalidContainer("data chunk before the fmt chunk")
            audio = True
        pos = end + (size & 1 if end < len(data) else 0)  # chunks are padded to even sizes
    if not audio:
        raise InvalidContainer("no data chunk")


# --- MP4 / M4A (ISO base media) -----------------------------------------------------------------


def check_mp4(data: bytes) -> None:
    pos = 0
    types = []
    while pos < len(data):
        if len(data) - pos < 8:
            raise InvalidContainer(f"truncated box header at {pos}")
        size, box_type = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:  # the last box runs to the end of the file
            size = len(data) - pos
        if not all(0x20 <= c <= 0x7E for c in box_type):
            raise InvalidContainer(f"bad box type at {pos}")
        if size < header or pos + size > len(data):
            raise InvalidContainer(f"box {box_type!r} past the end")
        types.append(box_type)
        pos += size
    if not types or types[0] != b"ftyp":
        raise InvalidContainer("ftyp is not the first box")
    if b"moov" not in types:
        raise InvalidContainer("no moov box")


# --- MP3 (MPEG audio layer III) -----------------------------------------------------------------

_MP3_BITRATES = {  # kbit/s by bitrate index, MPEG-1 and MPEG-2/2.5, layer III
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def check_mp3(data: bytes) -> None:
    pos = 0
    if data[:3] == b"ID3":
        size = data[6:10]
        if any(b & 0x80 for b in size):
            raise InvalidContainer("bad ID3v2 size")
        pos = 10 + ((size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3])
        if data[5] & 0x10:  # footer
            pos += 10
    end = len(data)
    if end - pos >= 128 and data[end - 128 : end - 125] == b"TAG":  # ID3v1
        end -= 128
    frames = 0
    while pos < end:
        if end - pos < 4:
            raise InvalidContainer(f"truncated frame header at {pos}")
        header = int.from_bytes(data[pos : pos + 4], "big")
        version = (header >> 19) & 3
        layer = (header >> 17) & 3
        bitrate_index = (header >> 12) & 15
        rate_index = (header >> 10) & 3
        padding = (header >> 9) & 1
        if (header >> 21) != 0x7FF or version == 1 or layer != 1:
            raise InvalidContainer(f"no MPEG layer III frame at {pos}")
        if bitrate_index in (0, 15) or rate_index == 3:
            raise InvalidContainer(f"bad frame header at {pos}")
        bitrate = _MP3_BITRATES[1 if version == 3 else 2][bitrate_index] * 1000
        rate = _MP3_RATES[version][rate_index]
        length = (144 if version == 3 else 72) * bitrate // rate + padding
        if pos + length > end:
            raise InvalidContainer(f"frame past the end at {pos}")
        pos += length
        frames += 1
    if not frames:
        raise InvalidContainer("no MPEG audio frame")


_CHECKERS = {
    "audio/webm": check_webm,
    "audio/ogg": check_ogg,
    "audio/wav": check_wav,
    "audio/mp4": check_mp4,
    "audio/mpeg": check_mp3,
}

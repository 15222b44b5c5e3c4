"""A tiny GTFS feed, written file by file so each test can break one part of it."""

from __future__ import annotations

import zipfile
from pathlib import Path

FEED = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
    "MET,Le Met',https://lemet.fr,Europe/Paris\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    "0001,République,49.1165,6.1760\n0002,Gare,49.1097,6.1774\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n"
    "L1,MET,L1,Mettis A,3\n",
    "trips.txt": "route_id,service_id,trip_id\nL1,SEM,T1\nL1,SEM,T2\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "T1,08:00:00,08:00:00,0001,1\nT1,08:05:00,08:05:00,0002,2\n"
    "T2,25:10:00,25:10:00,0002,1\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\nSEM,1,1,1,1,1,0,0,20240101,20241231\n",
}


def write_feed(path: Path, *, drop=(), replace=None, extra=None, folder: str = "") -> Path:
    """Write the feed as a ZIP at ``path``, without ``drop``, with ``replace``d files."""
    files = {**FEED, **(replace or {}), **(extra or {})}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            if name not in drop:
                # A fixed date: the same files make the same bytes (writestr would stamp
                # the current time, and a feed written again would differ by its checksum).
                entry = zipfile.ZipInfo(folder + name, date_time=(2026, 1, 1, 0, 0, 0))
                archive.writestr(entry, text, compress_type=zipfile.ZIP_DEFLATED)
    return path

"""Country outlines for the map of practices, drawn as SVG on the server.

The outlines are Natural Earth's Admin 0 countries at 1:110m (public domain), as shipped
in the world-atlas package's TopoJSON (``data/countries-110m.json``; the package's ISC
licence is in ``data/world-atlas-LICENSE``). They are projected here with a plain
equirectangular projection, so no tile server or map script is needed.
"""

import json
from functools import cache
from pathlib import Path

from django_countries import countries

DATA = Path(__file__).resolve().parent / "data" / "countries-110m.json"
# Drawing size (SVG user units): 360 degrees of longitude by the latitudes shown.
SCALE = 2.5
NORTH, SOUTH = 84.0, -58.0  # Antarctica left out; it holds no practices
WIDTH = round(360 * SCALE)
HEIGHT = round((NORTH - SOUTH) * SCALE)
ANTARCTICA = "010"  # ISO 3166 numeric


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs in degrees (they are quantized and delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    """A ring's points, its longitudes kept continuous: a ring that crosses the 180th
    meridian (eastern Russia, Fiji) runs on past the map's edge, which hides it, instead
    of drawing a line across the whole world."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    unwrapped: list[tuple[float, float]] = []
    for lon, lat in points:
        if unwrapped:
            previous = unwrapped[-1][0]
            while lon - previous > 180:
                lon -= 360
            while lon - previous < -180:
                lon += 360
        unwrapped.append((lon, lat))
    return unwrapped


def _project(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, NORTH), SOUTH)
    return (lon + 180) * SCALE, (NORTH - lat) * SCALE


def _path(rings: list[list[tuple[float, float]]]) -> str:
    """SVG path data, in whole units (a tenth of a degree or so is all the map shows)."""
    parts = []
    for ring in rings:
        points = []
        for lon, lat in ring:
            x, y = _project(lon, lat)
            point = (round(x), round(y))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) < 3:
            continue
        first, *rest = points
        parts.append(f"M{first[0]} {first[1]}" + "".join(f"L{x} {y}" for x, y in rest) + "Z")
    return "".join(parts)


@cache
def country_shapes() -> tuple[tuple[str, str], ...]:
    """(ISO 3166 alpha-2 code or "", SVG path) for every country outline."""
    topology = json.loads(DATA.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") == ANTARCTICA:
            continue
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        code = countries.alpha2(int(geometry["id"])) if geometry.get("id", "").isdigit() else ""
        shapes.append((code or "", _path(rings)))
    return tuple(shapes)

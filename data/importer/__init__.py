"""Import a GIS file (GeoJSON, Shapefile, GeoPackage, KML) into one layer (GIS-9).

    python -m data.importer enterprises 企业.geojson --crs gcj02
    python -m data.importer buildings 房屋.zip --crs gk3:40 --dry-run

An import is all or nothing: every feature is checked (geometry, required properties,
values the table accepts, unique codes, parents) and *every* bad feature is reported by
its 0-based position in the file; if one is bad nothing is written. Good files are
inserted in the caller's transaction, then linked to their region with one set-based
UPDATE (points and polygons → grid, lines → town; see ``writing``). A feature outside
every grid / town keeps region_id NULL and the report says how many.

Modules, in the order an import runs:

* ``reading``    files → features (pyogrio), file fields → layer columns
* ``rules``      the table-driven per-layer value rules and the layer spec
* ``validation`` one feature's values and geometry
* ``checks``     database-side checks: uniqueness, foreign keys, region parents
* ``writing``    insert, then region assignment
* ``service``    ``import_file`` and its ``ImportReport``; ``errors``: ``ImportRejected``
* ``cli``        ``main``, run by ``__main__``
"""

from data.importer.cli import main
from data.importer.errors import FeatureError, ImportRejected
from data.importer.rules import RULES
from data.importer.service import ImportReport, import_file

__all__ = ["RULES", "FeatureError", "ImportRejected", "ImportReport", "import_file", "main"]

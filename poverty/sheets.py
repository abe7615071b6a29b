"""The sheet kinds a county brings when it moves in, in the order it brings them (the import
page, its template download and `manage.py import_sheet KIND FILE` look them up here)."""

from accounts.sheets import AccountImport
from households.sheets import HouseholdPairingImport
from villages.sheets import (
    CadreImport,
    LeaderPairingImport,
    UnitImport,
    UnitPairingImport,
    VillagePostingImport,
)

KINDS = {
    kind.kind: kind
    for kind in (
        UnitImport,
        CadreImport,
        VillagePostingImport,
        UnitPairingImport,
        LeaderPairingImport,
        AccountImport,
        HouseholdPairingImport,
    )
}

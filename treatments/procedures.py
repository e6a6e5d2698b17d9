"""The procedures a session type is made of, by their stored codes.

Pure (no Django): the clinical rules (eligibility.rules) read the codes from here, so a session
type and a screening name a procedure the same way.
"""

from collections.abc import Mapping
from types import MappingProxyType

MICRONEEDLING: str = "microneedling"
PRP: str = "prp"
LLLT: str = "lllt"
PROCEDURES: tuple[str, ...] = (MICRONEEDLING, PRP, LLLT)
PROCEDURE_LABELS: Mapping[str, str] = MappingProxyType(
    {MICRONEEDLING: "microneedling", PRP: "PRP", LLLT: "laser (LLLT)"}
)

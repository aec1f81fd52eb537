"""Descriptors: SOAP power spectrum (quippy conventions, C++ core) and the ARISE materials descriptor."""

from arisekit.descriptors.arise import (
    ARISEDescriptor,
    ArisePair,
    arise_calculator,
    arise_coefficients,
    arise_soap,
    arise_soap_batch,
    species_pairs,
)
from arisekit.descriptors.quippy_backend import descriptor_string, quippy_available, quippy_soap
from arisekit.descriptors.soap import Soap, power_spectrum, soap, soap_coefficients

__all__ = [
    "ARISEDescriptor",
    "ArisePair",
    "Soap",
    "arise_calculator",
    "arise_coefficients",
    "arise_soap",
    "arise_soap_batch",
    "descriptor_string",
    "power_spectrum",
    "quippy_available",
    "quippy_soap",
    "soap",
    "soap_coefficients",
    "species_pairs",
]

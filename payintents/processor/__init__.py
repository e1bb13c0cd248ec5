"""Processors: the interface the services pay through, and the built-in simulated one."""

from payintents.processor.base import (
    AuthorizationRequest,
    AuthorizationResult,
    CaptureResult,
    Decline,
    Processor,
    RefundResult,
    SetupRequest,
    Tokenized,
    TokenizeError,
    VerificationResult,
)
from payintents.processor.simulated import SimulatedProcessor

__all__ = [
    "AuthorizationRequest",
    "AuthorizationResult",
    "CaptureResult",
    "Decline",
    "Processor",
    "RefundResult",
    "SetupRequest",
    "SimulatedProcessor",
    "TokenizeError",
    "Tokenized",
    "VerificationResult",
]

"""Imports PyTorch's FullyShardedDataParallel (ZeRO-3 style sharding: Rajbhandari et al., 2020).

Debian's python3-torch 1.13 on Python 3.11 cannot import it: one of its dataclasses has an instance
as a field default, which Python 3.11 refuses ("mutable default ... use default_factory"); torch 2.x
fixed it. Only when that exact error occurs, the import is retried with that class made hashable.
"""
import dataclasses


def import_fsdp():
    """(FullyShardedDataParallel, StateDictType, FullStateDictConfig, transformer_auto_wrap_policy)."""
    try:
        return _import()
    except ValueError as err:
        if "mutable default" not in str(err):
            raise
    original = dataclasses.dataclass

    def hashable_tensor_properties(cls=None, **kw):
        def wrap(c):
            return original(c, **({**kw, "unsafe_hash": True} if c.__name__ == "TensorProperties" else kw))

        return wrap if cls is None else wrap(cls)

    dataclasses.dataclass = hashable_tensor_properties
    try:
        return _import()
    finally:
        dataclasses.dataclass = original


def _import():
    from torch.distributed.fsdp import FullyShardedDataParallel, StateDictType, FullStateDictConfig
    from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy

    return FullyShardedDataParallel, StateDictType, FullStateDictConfig, transformer_auto_wrap_policy

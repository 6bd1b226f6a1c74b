"""The tf.distribute settings, checked without TensorFlow: strategy names and TF_CONFIG.

`kerasclf.engine.distribution` and `kerasclf.engine.multiworker` make the strategies; this
module holds what the config checks, so the CLI needs no TensorFlow for it.
"""

from __future__ import annotations

import json

STRATEGIES = {
    "none": "one device",
    "mirrored": "MirroredStrategy over all local GPUs, or over --cpu-devices logical CPUs",
    "multiworker": "MultiWorkerMirroredStrategy across the workers of TF_CONFIG",
}


def parse_tf_config(text: str | None) -> dict:
    """Validates a `TF_CONFIG` for multi-worker training.

    Returns:
        The parsed dict.

    Raises:
        ValueError: one line saying what is wrong and what is expected.

    Example:
        >>> parse_tf_config('{"cluster": {"worker": ["127.0.0.1:2222"]}, '
        ...                 '"task": {"type": "worker", "index": 0}}')["task"]["index"]
        0
    """
    example = (
        '{"cluster": {"worker": ["host1:2222", "host2:2222"]}, '
        '"task": {"type": "worker", "index": 0}}'
    )
    if not text:
        raise ValueError(
            "`strategy` 'multiworker' needs the TF_CONFIG environment variable, e.g. "
            f"TF_CONFIG='{example}'. Received: TF_CONFIG unset."
        )
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"TF_CONFIG is not valid JSON ({error}). Received: TF_CONFIG={text!r}. "
            f"Expected e.g. {example}."
        ) from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise ValueError(
            f"TF_CONFIG needs a 'cluster' and a 'task' object. Received: TF_CONFIG={text!r}. "
            f"Expected e.g. {example}."
        )
    for role, addresses in cluster.items():
        if (
            not isinstance(addresses, list)
            or not addresses
            or not all(
                isinstance(address, str) and address.rpartition(":")[2].isdigit()
                for address in addresses
            )
        ):
            raise ValueError(
                f"TF_CONFIG cluster[{role!r}] must be a list of 'host:port' strings. "
                f"Received: {addresses!r}."
            )
    role, index = task.get("type"), task.get("index")
    if role not in cluster:
        raise ValueError(
            f"TF_CONFIG task type must be one of the cluster's roles {sorted(cluster)}. "
            f"Received: type={role!r}."
        )
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(cluster[role]):
        raise ValueError(
            f"TF_CONFIG task index must be an integer in 0..{len(cluster[role]) - 1} for "
            f"{role!r}. Received: index={index!r}."
        )
    return config


def is_chief(config: dict) -> bool:
    """Whether this task writes the logs: the "chief", else worker 0."""
    task = config["task"]
    if "chief" in config["cluster"]:
        return task["type"] == "chief"
    return task["type"] == "worker" and task["index"] == 0

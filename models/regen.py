#!/usr/bin/env python3
"""Regenerates models/data/*.json from the AWS service models shipped in botocore.

    python3 models/regen.py            # downloads the pinned botocore wheel from PyPI
    python3 models/regen.py WHEEL.whl  # or reads a wheel you already have

Only the operations listed below are kept, with every shape they reach (input, output,
errors). Documentation, examples and deprecation text are dropped: the crate reads
types, locations and constraints, nothing else. Patterns are kept verbatim; the Rust side
translates Java-isms at load time, so nothing here is re-typed by hand.
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

BOTOCORE = "1.44.8"

SERVICES = {
    "bedrock-agentcore-control": ("2023-06-05", [
        f"{verb}{kind}"
        for kind in ["AgentRuntime", "Memory", "Gateway", "GatewayTarget", "PolicyEngine",
                     "Policy", "Evaluator", "OnlineEvaluationConfig"]
        for verb in ["Create", "Get", "Update", "Delete"]
    ] + ["ListAgentRuntimes", "ListMemories", "ListGateways", "ListGatewayTargets",
         "ListPolicyEngines", "ListPolicies", "ListEvaluators", "ListOnlineEvaluationConfigs",
         "TagResource", "UntagResource", "ListTagsForResource",
         "ListAgentRuntimeVersions", "ListAgentRuntimeEndpoints"]),
    "bedrock-agentcore": ("2024-02-28", [
        "StartRecommendation", "GetRecommendation", "ListRecommendations", "DeleteRecommendation",
        "InvokeAgentRuntime",
    ]),
    "kms": ("2014-11-01", [
        "CreateKey", "DescribeKey", "ListKeys", "ListAliases", "CreateAlias", "DeleteAlias",
        "GetKeyPolicy", "PutKeyPolicy", "GenerateDataKey", "Encrypt", "Decrypt", "EnableKey",
        "DisableKey", "ScheduleKeyDeletion", "CancelKeyDeletion",
    ]),
    "sts": ("2011-06-15", ["GetCallerIdentity"]),
    "iam": ("2010-05-08", ["GetRole"]),
    "s3": ("2006-03-01", ["HeadBucket", "CreateBucket", "PutObject", "HeadObject", "DeleteObject"]),
    "cloudtrail": ("2013-11-01", ["LookupEvents"]),
    "logs": ("2014-03-28", ["FilterLogEvents", "GetLogEvents"]),
}

KEEP_SHAPE = {"type", "required", "members", "member", "key", "value", "min", "max", "pattern",
              "enum", "union", "error", "exception", "fault", "payload", "timestampFormat",
              "flattened", "locationName", "streaming", "sensitive", "document", "event",
              "eventstream", "xmlNamespace"}
KEEP_MEMBER = {"shape", "location", "locationName", "idempotencyToken", "hostLabel", "flattened",
               "xmlAttribute", "xmlNamespace", "streaming", "eventpayload", "timestampFormat"}
KEEP_META = {"apiVersion", "protocol", "targetPrefix", "jsonVersion", "endpointPrefix",
             "signingName", "serviceId", "xmlNamespace"}
KEEP_OP = {"http", "input", "output", "errors"}


def wheel_bytes(argv):
    if len(argv) > 1:
        with open(argv[1], "rb") as f:
            return f.read()
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "-d", d, f"botocore=={BOTOCORE}"], check=True)
        (name,) = os.listdir(d)
        with open(os.path.join(d, name), "rb") as f:
            return f.read()


def trim(model, operations):
    shapes = model["shapes"]
    keep_ops, wanted = {}, []
    for name in operations:
        op = model["operations"][name]  # KeyError: the pinned release lacks it
        keep_ops[name] = {k: v for k, v in op.items() if k in KEEP_OP}
        for ref in [op.get("input"), op.get("output"), *op.get("errors", [])]:
            if ref:
                wanted.append(ref["shape"])
        for e in keep_ops[name].get("errors", []):
            e.pop("documentation", None)
        for k in ("input", "output"):
            if k in keep_ops[name]:
                keep_ops[name][k] = {"shape": keep_ops[name][k]["shape"]}
    kept = {}
    while wanted:
        name = wanted.pop()
        if name in kept:
            continue
        shape = {k: v for k, v in shapes[name].items() if k in KEEP_SHAPE}
        if "members" in shape:
            shape["members"] = {m: {k: v for k, v in ref.items() if k in KEEP_MEMBER}
                                for m, ref in shape["members"].items()}
            wanted += [ref["shape"] for ref in shape["members"].values()]
        for k in ("member", "key", "value"):
            if k in shape:
                shape[k] = {a: b for a, b in shape[k].items() if a in KEEP_MEMBER}
                wanted.append(shape[k]["shape"])
        kept[name] = shape
    meta = {k: v for k, v in model["metadata"].items() if k in KEEP_META}
    return {"metadata": meta, "operations": dict(sorted(keep_ops.items())),
            "shapes": dict(sorted(kept.items()))}


def main(argv):
    wheel = wheel_bytes(argv)
    digest = hashlib.sha256(wheel).hexdigest()
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    os.makedirs(out_dir, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(wheel)) as z:
        for service, (version, operations) in SERVICES.items():
            raw = z.read(f"botocore/data/{service}/{version}/service-2.json.gz")
            model = json.loads(gzip.decompress(raw))
            data = trim(model, operations)
            data["source"] = {"botocore": BOTOCORE, "wheel_sha256": digest,
                              "file": f"botocore/data/{service}/{version}/service-2.json.gz"}
            with open(os.path.join(out_dir, f"{service}.json"), "w") as f:
                json.dump(data, f, indent=1, sort_keys=False)
                f.write("\n")
            print(f"{service}: {len(data['operations'])} operations, {len(data['shapes'])} shapes")
    with open(os.path.join(out_dir, "VERSION"), "w") as f:
        f.write(f"botocore {BOTOCORE} sha256:{digest}\n")


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env bash
# End-to-end demo: two publishers sign a realistic model lineage into a running
# registry, then a consumer verifies, tampers with and explores it.
#
# Run it after the README's first command (./deploy/start-registry.sh), from a
# second terminal:
#
#   ./examples/demo.sh
#
# Environment (all optional):
#   PEDIGREE_SERVER            registry address (default 127.0.0.1:50051)
#   PEDIGREE_CLI               the pedigree CLI (default build/client/pedigree)
#   PEDIGREE_ADMIN_TOKEN       admin token; default: read from the file that
#                              deploy/start-registry.sh writes,
#   PEDIGREE_ADMIN_TOKEN_FILE  default <PEDIGREE_DATA_DIR>.admin-token, i.e.
#                              ./.pedigree.admin-token in the repository
#
# Everything happens in a temporary directory that is removed on exit. The
# namespaces get a random suffix (acme-ai-1a2b3c, community-labs-1a2b3c), so
# the demo can run any number of times against the same registry. The weight
# files are a few KiB of random bytes: only their digests matter here.
#
# Exit status: 0 when every step behaved as expected (including the tampered
# file being caught), non-zero otherwise.
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cli=${PEDIGREE_CLI:-$repo/build/client/pedigree}
export PEDIGREE_SERVER=${PEDIGREE_SERVER:-127.0.0.1:50051}
data_dir=${PEDIGREE_DATA_DIR:-$repo/.pedigree}
token_file=${PEDIGREE_ADMIN_TOKEN_FILE:-${data_dir%/}.admin-token}

trap 'echo "demo: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

die() {
  echo "demo: $*" >&2
  exit 1
}

if [[ -t 1 ]]; then
  bold=$'\033[1m' plain=$'\033[0m'
else
  bold='' plain=''
fi

heading() {
  printf '\n%s== %s%s\n' "$bold" "$*" "$plain"
}

# run_as SHOWN_PREFIX ARGS...: prints the command as a reader would type it,
# then runs it; any failure ends the demo with the command's exit code.
run_as() {
  local shown=$1 rc=0
  shift
  printf '$ %spedigree %s\n' "$shown" "$*"
  "$cli" "$@" || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "demo: unexpected failure (exit code $rc) of: pedigree $*" >&2
    exit "$rc"
  fi
}

run() {
  run_as '' "$@"
}

# Admin calls get the token in their environment only.
run_admin() {
  PEDIGREE_ADMIN_TOKEN=$admin_token run_as 'PEDIGREE_ADMIN_TOKEN=... ' "$@"
}

# random_hex N: N random bytes as lowercase hex.
random_hex() {
  od -An -v -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# random_file PATH KIB: KIB KiB of random bytes.
random_file() {
  head -c "$(($2 * 1024))" /dev/urandom >"$1"
}

# flip_byte FILE OFFSET: inverts every bit of one byte, in place.
flip_byte() {
  local old new
  old=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  new=$((old ^ 0xff))
  # shellcheck disable=SC2059  # the format is the octal escape of one byte
  printf "$(printf '\\%03o' "$new")" |
    dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

# ---------------------------------------------------------------------------
# Preflight: the CLI, the admin token and the registry.

[[ -x $cli ]] || die "no pedigree CLI at $cli: build it (cmake --build build --target pedigree_cli) or set PEDIGREE_CLI"

if [[ -n ${PEDIGREE_ADMIN_TOKEN:-} ]]; then
  admin_token=$PEDIGREE_ADMIN_TOKEN
elif [[ -r $token_file ]]; then
  IFS= read -r admin_token <"$token_file" || true
elif [[ -e $token_file ]]; then
  die "cannot read the admin token file $token_file (started as another user? run the demo as that user)"
else
  die "no admin token: set PEDIGREE_ADMIN_TOKEN, or start the registry with ./deploy/start-registry.sh, which writes $token_file"
fi
[[ -n $admin_token ]] || die "the admin token in $token_file is empty"

rc=0
"$cli" --timeout 5 search --namespace pedigree-demo-preflight >/dev/null 2>&1 || rc=$?
if [[ $rc -eq 3 ]]; then
  die "no registry at $PEDIGREE_SERVER: start one with ./deploy/start-registry.sh (or set PEDIGREE_SERVER)"
elif [[ $rc -ne 0 ]]; then
  die "the registry at $PEDIGREE_SERVER answered the preflight search with exit code $rc"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pedigree-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

suffix=$(random_hex 3)
acme=acme-ai-$suffix
community=community-labs-$suffix

base=$acme/Acme-7B@v1.0
instruct=$acme/Acme-7B-Instruct@v1.0
coder=$acme/Acme-7B-Coder@v1.0
lora=$acme/Acme-7B-Instruct-SQL-LoRA@v1.0
distill=$acme/Acme-1.5B-Distill@v1.0
merge=$acme/Acme-7B-Instruct-Coder-Merge@v1.0
gguf_model=$community/Acme-7B-Instruct-GGUF
gguf=$gguf_model@v1.0
gguf_next=$gguf_model@v1.1

echo "registry $PEDIGREE_SERVER, CLI $cli"
echo "working in $work (removed on exit)"
# The CLI keeps its pinned log keys and verified checkpoints here.
export XDG_CONFIG_HOME=$work/config

# ---------------------------------------------------------------------------
heading "0. Pin the registry's transparency-log key (trust on first use)"

run log key --pin

# ---------------------------------------------------------------------------
heading "1. Publishers: a signing key and a namespace each (admin calls)"

for ns in "$acme" "$community"; do
  run keygen --out "$ns.key"
  run_admin namespace create "$ns"
  run_admin key add "$ns" "$ns.key.pub"
done

# ---------------------------------------------------------------------------
heading "2. Fake model directories (random bytes stand in for the weights)"

# A Hugging Face style checkpoint: two safetensors shards, config, tokenizer.
checkpoint() {
  local dir=$1 arch=$2 hidden=$3 layers=$4
  mkdir -p "$dir"
  random_file "$dir/model-00001-of-00002.safetensors" 8
  random_file "$dir/model-00002-of-00002.safetensors" 4
  cat >"$dir/config.json" <<JSON
{
  "architectures": ["$arch"],
  "model_type": "acme",
  "hidden_size": $hidden,
  "num_hidden_layers": $layers,
  "num_attention_heads": 32,
  "vocab_size": 65536,
  "torch_dtype": "bfloat16"
}
JSON
  cat >"$dir/tokenizer.json" <<JSON
{"version": "1.0", "model": {"type": "BPE", "vocab": {"<s>": 0, "</s>": 1, "hello": 2}, "merges": ["h e", "l l"]}}
JSON
}

checkpoint Acme-7B AcmeForCausalLM 4096 32
checkpoint Acme-7B-Instruct AcmeForCausalLM 4096 32
checkpoint Acme-7B-Coder AcmeForCausalLM 4096 32
checkpoint Acme-1.5B-Distill AcmeForCausalLM 1536 28
checkpoint Acme-7B-Instruct-Coder-Merge AcmeForCausalLM 4096 32

mkdir Acme-7B-Instruct-SQL-LoRA
random_file Acme-7B-Instruct-SQL-LoRA/adapter_model.safetensors 2
cat >Acme-7B-Instruct-SQL-LoRA/adapter_config.json <<JSON
{"peft_type": "LORA", "base_model_name_or_path": "$acme/Acme-7B-Instruct", "r": 16, "lora_alpha": 32,
 "target_modules": ["q_proj", "v_proj"]}
JSON

# A GGUF file starts with the magic "GGUF".
mkdir -p Acme-7B-Instruct-GGUF Acme-7B-Instruct-GGUF-v1.1
for dir in Acme-7B-Instruct-GGUF Acme-7B-Instruct-GGUF-v1.1; do
  { printf 'GGUF'; head -c 6140 /dev/urandom; } >"$dir/acme-7b-instruct-q4_k_m.gguf"
done

find Acme-* -type f -printf '%p  (%s bytes)\n' | sort

# ---------------------------------------------------------------------------
heading "3. Meta files: what each publisher states (docs/meta-file.md)"

acme_publisher='{"organization": "Acme AI Ltd.", "jurisdiction": "GB"}'
community_license_ref='{
      "id": "LicenseRef-acme-community",
      "name": "Acme Community Model License 1.0",
      "url": "https://acme.example/legal/community-model-license-1.0"
    }'
checkpoint_files='{
    "config.json": {"format": "other"},
    "tokenizer.json": {"format": "other"},
    "model-00001-of-00002.safetensors": {"format": "safetensors", "dtype": "bf16"},
    "model-00002-of-00002.safetensors": {"format": "safetensors", "dtype": "bf16"}
  }'

cat >Acme-7B.meta.json <<JSON
{
  "description": "Acme-7B base model, pretrained from scratch on 4T tokens.",
  "release_date": "2025-01-06",
  "publisher": $acme_publisher,
  "licenses": {"weights": "Apache-2.0", "code": "Apache-2.0"},
  "openness": {
    "claim": "open_source",
    "components": [
      {"component": "model_architecture", "status": "published", "license": "Apache-2.0",
       "location": "https://github.com/acme-ai/acme-models"},
      {"component": "final_parameters", "status": "published", "license": "Apache-2.0",
       "location": "https://huggingface.co/acme-ai/Acme-7B"},
      {"component": "training_code", "status": "published", "license": "Apache-2.0",
       "location": "https://github.com/acme-ai/acme-train"},
      {"component": "data_preprocessing_code", "status": "published", "license": "Apache-2.0",
       "location": "https://github.com/acme-ai/acme-data"},
      {"component": "training_datasets", "status": "published", "license": "ODC-By-1.0",
       "location": "https://huggingface.co/datasets/HuggingFaceFW/fineweb"},
      {"component": "technical_report", "status": "published", "license": "CC-BY-4.0",
       "location": "https://acme.example/papers/acme-7b.pdf"},
      {"component": "evaluation_results", "status": "partial", "license": "CC-BY-4.0"}
    ]
  },
  "datasets": [
    {"name": "FineWeb", "uri": "https://huggingface.co/datasets/HuggingFaceFW/fineweb",
     "role": "pretraining", "disclosure": "full_release", "license": "ODC-By-1.0"},
    {"name": "Wikipedia (English)", "uri": "https://huggingface.co/datasets/wikimedia/wikipedia",
     "role": "pretraining", "disclosure": "full_release", "license": "CC-BY-SA-4.0"},
    {"name": "MMLU", "uri": "https://huggingface.co/datasets/cais/mmlu",
     "role": "evaluation", "disclosure": "full_release", "license": "MIT"}
  ],
  "files": $checkpoint_files
}
JSON

cat >Acme-7B-Instruct.meta.json <<JSON
{
  "description": "Instruction-tuned Acme-7B: SFT, then DPO on preference data.",
  "release_date": "2025-01-20",
  "publisher": $acme_publisher,
  "licenses": {"weights": "LicenseRef-acme-community", "code": "Apache-2.0"},
  "license_refs": [$community_license_ref],
  "openness": {
    "claim": "open_weight",
    "components": [
      {"component": "model_architecture", "status": "published", "license": "Apache-2.0",
       "location": "https://github.com/acme-ai/acme-models"},
      {"component": "final_parameters", "status": "published", "license": "LicenseRef-acme-community",
       "location": "https://huggingface.co/acme-ai/Acme-7B-Instruct"},
      {"component": "training_code", "status": "not_published"},
      {"component": "training_datasets", "status": "not_published"},
      {"component": "model_card", "status": "published", "license": "CC-BY-4.0",
       "location": "https://huggingface.co/acme-ai/Acme-7B-Instruct"}
    ]
  },
  "datasets": [
    {"name": "Acme instruction mix", "role": "fine_tuning", "disclosure": "summary",
     "license": "CC-BY-4.0"},
    {"name": "Internal preference data", "role": "alignment", "disclosure": "undisclosed"}
  ],
  "parents": [
    {"ref": "$base", "relation": "finetune", "detail": {"method": "sft"}}
  ],
  "files": $checkpoint_files
}
JSON

cat >Acme-7B-Coder.meta.json <<JSON
{
  "description": "Acme-7B fine-tuned on permissively licensed source code.",
  "release_date": "2025-01-27",
  "publisher": $acme_publisher,
  "licenses": {"weights": "Apache-2.0", "code": "Apache-2.0"},
  "openness": {
    "claim": "open_weight",
    "components": [
      {"component": "final_parameters", "status": "published", "license": "Apache-2.0",
       "location": "https://huggingface.co/acme-ai/Acme-7B-Coder"}
    ]
  },
  "datasets": [
    {"name": "Permissively licensed GitHub code", "role": "fine_tuning",
     "disclosure": "described_with_sources", "license": "MIT OR Apache-2.0 OR BSD-3-Clause"}
  ],
  "parents": [
    {"ref": "$base", "relation": "finetune", "detail": {"method": "sft"}}
  ],
  "files": $checkpoint_files
}
JSON

cat >Acme-7B-Instruct-SQL-LoRA.meta.json <<JSON
{
  "description": "LoRA adapter (rank 16) for text-to-SQL on top of Acme-7B-Instruct.",
  "release_date": "2025-02-03",
  "publisher": $acme_publisher,
  "licenses": {"weights": "LicenseRef-acme-community", "code": "Apache-2.0"},
  "license_refs": [$community_license_ref],
  "datasets": [
    {"name": "Spider", "uri": "https://yale-lily.github.io/spider",
     "role": "fine_tuning", "disclosure": "full_release", "license": "CC-BY-SA-4.0"}
  ],
  "parents": [
    {"ref": "$instruct", "relation": "adapter", "detail": {"method": "lora", "lora_rank": 16}}
  ],
  "files": {
    "adapter_model.safetensors": {"format": "safetensors", "dtype": "bf16"},
    "adapter_config.json": {"format": "other"}
  }
}
JSON

cat >Acme-1.5B-Distill.meta.json <<JSON
{
  "description": "1.5B student distilled from Acme-7B-Instruct, same architecture as Acme-7B at a smaller size.",
  "release_date": "2025-02-10",
  "publisher": $acme_publisher,
  "licenses": {"weights": "LicenseRef-acme-community", "code": "Apache-2.0"},
  "license_refs": [$community_license_ref],
  "openness": {"claim": "open_weight"},
  "datasets": [
    {"name": "Acme-7B-Instruct responses to FineWeb-Edu prompts", "role": "distillation",
     "disclosure": "summary", "license": "LicenseRef-acme-community", "synthetic": true,
     "generated_by": "$instruct"}
  ],
  "parents": [
    {"ref": "$instruct", "relation": "distillation", "detail": {"method": "logit_distillation"}},
    {"ref": "$base", "relation": "architecture_reuse"}
  ],
  "files": $checkpoint_files
}
JSON

cat >Acme-7B-Instruct-Coder-Merge.meta.json <<JSON
{
  "description": "TIES merge of Acme-7B-Instruct (0.6) and Acme-7B-Coder (0.4).",
  "release_date": "2025-02-14",
  "publisher": $acme_publisher,
  "licenses": {"weights": "Apache-2.0 AND LicenseRef-acme-community", "code": "Apache-2.0"},
  "license_refs": [$community_license_ref],
  "parents": [
    {"ref": "$instruct", "relation": "merge", "detail": {"method": "ties", "merge_weight_permille": 600}},
    {"ref": "$coder", "relation": "merge", "detail": {"method": "ties", "merge_weight_permille": 400}}
  ],
  "files": $checkpoint_files
}
JSON

gguf_meta() {
  local description=$1 release_date=$2
  cat <<JSON
{
  "description": "$description",
  "release_date": "$release_date",
  "publisher": {"organization": "Community Labs e.V.", "jurisdiction": "DE"},
  "licenses": {"weights": "LicenseRef-acme-community", "code": "MIT"},
  "license_refs": [$community_license_ref],
  "openness": {
    "claim": "open_weight",
    "components": [
      {"component": "final_parameters", "status": "published", "license": "LicenseRef-acme-community",
       "location": "https://huggingface.co/community-labs/Acme-7B-Instruct-GGUF"}
    ]
  },
  "parents": [
    {"ref": "$instruct", "relation": "quantized", "detail": {"method": "gguf_q4_k_m", "bits": 4}}
  ],
  "files": {
    "acme-7b-instruct-q4_k_m.gguf": {"format": "gguf", "quantization": {"method": "gguf_q4_k_m", "bits": 4}}
  }
}
JSON
}
gguf_meta "Q4_K_M GGUF quantization of Acme-7B-Instruct v1.0 for llama.cpp." 2025-02-01 \
  >Acme-7B-Instruct-GGUF.meta.json
gguf_meta "Q4_K_M GGUF of Acme-7B-Instruct v1.0, requantized with an importance matrix." 2025-03-01 \
  >Acme-7B-Instruct-GGUF-v1.1.meta.json

echo "the quantizer's meta file, Acme-7B-Instruct-GGUF.meta.json:"
cat Acme-7B-Instruct-GGUF.meta.json

# ---------------------------------------------------------------------------
heading "4. Publish the lineage (each prints its record digest)"

run publish Acme-7B --model "$base" --key "$acme.key" --meta Acme-7B.meta.json
run publish Acme-7B-Instruct --model "$instruct" --key "$acme.key" --meta Acme-7B-Instruct.meta.json
run publish Acme-7B-Coder --model "$coder" --key "$acme.key" --meta Acme-7B-Coder.meta.json
run publish Acme-7B-Instruct-SQL-LoRA --model "$lora" --key "$acme.key" \
  --meta Acme-7B-Instruct-SQL-LoRA.meta.json
run publish Acme-1.5B-Distill --model "$distill" --key "$acme.key" --meta Acme-1.5B-Distill.meta.json
run publish Acme-7B-Instruct-Coder-Merge --model "$merge" --key "$acme.key" \
  --meta Acme-7B-Instruct-Coder-Merge.meta.json
run publish Acme-7B-Instruct-GGUF --model "$gguf" --key "$community.key" \
  --meta Acme-7B-Instruct-GGUF.meta.json
run publish Acme-7B-Instruct-GGUF-v1.1 --model "$gguf_next" --key "$community.key" \
  --meta Acme-7B-Instruct-GGUF-v1.1.meta.json

# ---------------------------------------------------------------------------
heading "5. A consumer verifies the downloaded GGUF (the record is found by its files)"

run verify Acme-7B-Instruct-GGUF

heading "5b. An offline bundle: the same check with no server (air-gapped)"

run bundle "$gguf" -o gguf.bundle.json
run verify Acme-7B-Instruct-GGUF --bundle gguf.bundle.json \
  --trusted-key "$community.key.pub"
run log checkpoint

heading "6. One flipped byte: verify must fail (exit 1) and name the file"

flip_byte Acme-7B-Instruct-GGUF/acme-7b-instruct-q4_k_m.gguf 1000
echo "(flipped the byte at offset 1000 of acme-7b-instruct-q4_k_m.gguf)"
printf '$ pedigree %s\n' "verify Acme-7B-Instruct-GGUF --model $gguf"
rc=0
"$cli" verify Acme-7B-Instruct-GGUF --model "$gguf" >verify.out 2>&1 || rc=$?
cat verify.out
if [[ $rc -ne 1 ]]; then
  die "verify of the tampered directory exited $rc, expected 1"
fi
if ! grep -q '^MISMATCH acme-7b-instruct-q4_k_m.gguf' verify.out; then
  die "verify of the tampered directory did not name acme-7b-instruct-q4_k_m.gguf"
fi
echo "=> exit code 1 as expected: the tampered file is caught"

# ---------------------------------------------------------------------------
heading "7. Lineage of the instruct model, ancestors and descendants"

run lineage "$instruct" --both

heading "8. The same graph as Graphviz dot (first lines; render with: dot -Tsvg)"

# Captured first: cutting a pipe would end the CLI with SIGPIPE.
printf '$ pedigree %s\n' "lineage $merge --both --format dot | head -n 12"
dot_graph=$("$cli" lineage "$merge" --both --format dot)
head -n 12 <<<"$dot_graph"
dot_lines=$(wc -l <<<"$dot_graph")
if [[ $dot_lines -gt 12 ]]; then
  echo "... ($dot_lines lines in all)"
fi

# ---------------------------------------------------------------------------
heading "9. The quantization's record"

run show "$gguf_model"

heading "10. Its version history, newest first"

run history "$gguf_model"

heading "11. Direct children of the instruct model (and only its quantizations)"

run search --parent "$instruct"
run search --parent "$instruct" --relation quantized

heading "Done"
echo "namespaces $acme and $community stay in the registry; run the demo again for fresh ones."

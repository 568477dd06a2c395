#!/usr/bin/env bash
# The AWS CLI against Keyledger: the flags are repeated, not kept in a variable, so this runs in zsh too.
set -euo pipefail
URL=${KEYLEDGER_URL:-http://127.0.0.1:8080}
KEY=$(aws kms create-key --endpoint-url "$URL" --region us-east-1 --query KeyMetadata.KeyId --output text)
aws kms create-alias --endpoint-url "$URL" --region us-east-1 --alias-name "alias/cli-$KEY" --target-key-id "$KEY"
aws kms encrypt --endpoint-url "$URL" --region us-east-1 --key-id "alias/cli-$KEY" \
  --plaintext fileb://<(printf 'secret') --query CiphertextBlob --output text > blob.b64
base64 -d blob.b64 > blob.bin
aws kms decrypt --endpoint-url "$URL" --region us-east-1 --ciphertext-blob fileb://blob.bin \
  --query Plaintext --output text | base64 -d
echo

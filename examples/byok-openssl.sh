#!/usr/bin/env bash
# Bring your own key with the AWS CLI and OpenSSL: wrap 32 random bytes with RSAES_OAEP_SHA_256 and import them.
set -euo pipefail
URL=${KEYLEDGER_URL:-http://127.0.0.1:8080}
KEY=$(aws kms create-key --endpoint-url "$URL" --region us-east-1 --origin EXTERNAL \
  --query KeyMetadata.KeyId --output text)
aws kms get-parameters-for-import --endpoint-url "$URL" --region us-east-1 --key-id "$KEY" \
  --wrapping-algorithm RSAES_OAEP_SHA_256 --wrapping-key-spec RSA_2048 > params.json
node -e "const p=require('./params.json');const fs=require('fs');
fs.writeFileSync('wrapping.der',Buffer.from(p.PublicKey,'base64'));fs.writeFileSync('token.bin',Buffer.from(p.ImportToken,'base64'))"
openssl rand -out material.bin 32          # keep this safe: it is your key
openssl pkeyutl -encrypt -in material.bin -out wrapped.bin -inkey wrapping.der -keyform DER -pubin \
  -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
aws kms import-key-material --endpoint-url "$URL" --region us-east-1 --key-id "$KEY" \
  --import-token fileb://token.bin --encrypted-key-material fileb://wrapped.bin \
  --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE
aws kms describe-key --endpoint-url "$URL" --region us-east-1 --key-id "$KEY" --query KeyMetadata.KeyState --output text

#!/usr/bin/env bash
# Smoke-test a running neogend realm (make run starts one on :8180). Needs curl, jq, python3. Exit 1 on failure.
#   platform/keycloak/verify-keycloak.sh [http://localhost:8180]
set -uo pipefail
BASE="${1:-http://localhost:8180}"
ISS="$BASE/realms/neogend"
TOK="$ISS/protocol/openid-connect/token"
fail=0
claims() { python3 -c 'import sys,json,base64;p=sys.stdin.read().strip().split(".")[1];p+="="*(-len(p)%4);print(base64.urlsafe_b64decode(p).decode())'; }
check() { # name jq-filter json
  if echo "$3" | jq -e "$2" >/dev/null 2>&1; then echo "OK   $1"; else echo "FAIL $1: $3"; fail=1; fi
}

check "discovery issuer" ".issuer == \"$ISS\"" "$(curl -s "$ISS/.well-known/openid-configuration")"

for pair in fleet.manager:fleet-manager:GN unit.manager:unit-manager:GN-RBRE-GGD35 technician:technician:GN-RBRE auditor:auditor:GN; do
  IFS=: read -r u role unit <<<"$pair"
  at=$(curl -s "$TOK" -d grant_type=password -d client_id=neogend-cli -d "username=$u" -d "password=$u" | jq -r '.access_token // empty')
  c=$(echo "$at" | claims 2>/dev/null || echo '{}')
  check "password grant $u" "(.iss == \"$ISS\") and (.azp == \"neogend-cli\") and ([.aud] | flatten | index(\"neogend-api\") != null)
    and (.realm_access.roles | index(\"$role\") != null) and (.unit_code == \"$unit\") and (.exp - .iat == 300)" "$c"
done

code=$(curl -s -o /dev/null -w '%{http_code}' "$TOK" -d grant_type=password -d client_id=neogend-cli -d username=fleet.manager -d password=wrong)
check "wrong password rejected (400)" ". == 400" "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$TOK" -d grant_type=password -d client_id=neogend-web -d username=fleet.manager -d password=fleet.manager)
check "neogend-web has no password grant (400)" ". == 400" "$code"

at=$(curl -s "$TOK" -d grant_type=client_credentials -d client_id=supplier-demo -d client_secret=supplier-demo-secret | jq -r '.access_token // empty')
c=$(echo "$at" | claims 2>/dev/null || echo '{}')
check "client_credentials supplier-demo" "(.iss == \"$ISS\") and (.azp == \"supplier-demo\") and ([.aud] | flatten | index(\"neogend-api\") != null)
  and (.realm_access.roles | index(\"supplier\") != null) and (.supplier_id == \"SUP-DEMO\")" "$c"
code=$(curl -s -o /dev/null -w '%{http_code}' "$TOK" -d grant_type=client_credentials -d client_id=supplier-demo -d client_secret=bad)
check "supplier-demo bad secret rejected (401)" ". == 401" "$code"

loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$ISS/protocol/openid-connect/auth?client_id=neogend-web&response_type=code&redirect_uri=http://localhost:3000/cb&scope=openid")
check "neogend-web requires PKCE" "test(\"code_challenge\")" "\"$loc\""

exit $fail

"""Drives msal's own WS-Trust code (msal.wstrust_request.send_request, which builds the RST with
msal.wstrust_request._build_rst and reads the answer with msal.wstrust_response.parse_response) against one
usernamemixed endpoint, and prints one JSON object: the outcome, the token msal extracted, and the wire exchange.

  .venv/bin/python wstrust_client.py --endpoint URL --username U --password P --applies-to URI
                                     [--soap-action 13|2005] [--ca-file PEM] [--timeout S] [--add-password-type]

Exit status: 0 when msal returned a token, 1 when msal raised (the JSON says what), 2 on usage errors.
"""
import argparse
import json
import sys
import time

import requests

import msal
from msal import wstrust_request
from msal.mex import Mex


PASSWORD_TEXT = ("http://docs.oasis-open.org/wss/2004/01/"
                 "oasis-200401-wss-username-token-profile-1.0#PasswordText")


class RecordingSession(requests.Session):
    """A requests session that keeps what msal sent and what came back (the wire exchange)."""

    def __init__(self, verify, timeout, add_password_type=False):
        super().__init__()
        self._add_password_type = add_password_type
        self.verify = verify
        self._timeout = timeout
        self.exchanges = []

    def post(self, url, data=None, headers=None, **kwargs):  # msal calls http_client.post(url, data=, headers=)
        kwargs.setdefault("timeout", self._timeout)
        # Per request: a session-level verify loses to REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment.
        kwargs.setdefault("verify", self.verify)
        if self._add_password_type and isinstance(data, str):
            # msal sends <wsse:Password> without Type (WS-I BSP R4201 wants it; the profile's default is PasswordText).
            data = data.replace("<wsse:Password>", "<wsse:Password Type='%s'>" % PASSWORD_TEXT, 1)
        started = time.monotonic()
        resp = super().post(url, data=data, headers=headers, **kwargs)
        self.exchanges.append({
            "request": {
                "method": "POST",
                "url": url,
                "headers": dict(resp.request.headers),
                "body": data if isinstance(data, str) else (data or b"").decode("utf-8", "replace"),
            },
            "response": {
                "status": resp.status_code,
                "headers": dict(resp.headers),
                "body": resp.text,
            },
            "ms": round((time.monotonic() - started) * 1000, 1),
        })
        return resp


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--endpoint", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--applies-to", required=True)
    p.add_argument("--soap-action", choices=["13", "2005", "auto"], default="auto",
                   help="13 or 2005 picks msal's Mex.ACTION_13 / ACTION_2005; auto lets msal choose from the URL path")
    p.add_argument("--ca-file", help="PEM file of the CA to trust for https (default: the system store)")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--add-password-type", action="store_true",
                   help="add Type=...#PasswordText to msal's wsse:Password before sending (the one change a strict "
                        "WS-I BSP recipient needs); off by default: msal as shipped")
    a = p.parse_args(argv)

    action = {"13": Mex.ACTION_13, "2005": Mex.ACTION_2005, "auto": None}[a.soap_action]
    session = RecordingSession(verify=a.ca_file or True, timeout=a.timeout, add_password_type=a.add_password_type)
    out = {"client": "msal", "clientVersion": msal.__version__, "requestsVersion": requests.__version__,
           "endpoint": a.endpoint, "soapAction": action, "passwordTypeAdded": a.add_password_type}
    try:
        result = wstrust_request.send_request(
            a.username, a.password, a.applies_to, a.endpoint, action, session)
        token = result["token"]
        out.update(ok=True, tokenType=result["type"],
                   token=token.decode("utf-8") if isinstance(token, bytes) else token)
        code = 0
    except Exception as e:  # msal raises RuntimeError for faults, requests errors for transport failures
        out.update(ok=False, error="%s: %s" % (type(e).__name__, e))
        code = 1
    out["exchanges"] = session.exchanges
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

package wsconform.cxfclient;

import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;

import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.configuration.jsse.TLSClientParameters;
import org.apache.cxf.ws.security.SecurityConstants;
import org.apache.cxf.ws.security.tokenstore.SecurityToken;
import org.apache.cxf.ws.security.trust.STSClient;
import org.apache.cxf.ws.security.wss4j.WSS4JOutInterceptor;
import org.apache.wss4j.common.crypto.Crypto;
import org.apache.wss4j.common.crypto.CryptoFactory;
import org.apache.wss4j.common.ext.WSPasswordCallback;
import org.apache.wss4j.dom.handler.WSHandlerConstants;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A real WS-Trust client: Apache CXF's STSClient asks a wsconform reference STS (or any AD FS-shaped STS) for
 * tokens, once per mode "version:keytype[:tokentype]" (version 1.3 or 2005; keytype symmetric, bearer or publickey;
 * tokentype saml20 or saml11). Prints one line per mode, exits 1 if any mode failed.
 *
 * Arguments: --url BASE --ca PEM [--user alice --password ecila] [--applies-to URI] [--client-keystore P12]
 *            [--soap 1.1|1.2] [--addressing false] MODE...
 */
public final class Main {
    static final String NS13 = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
    static final String NS05 = "http://schemas.xmlsoap.org/ws/2005/02/trust";
    static final String SAML20 = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0";
    static final String SAML11 = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("org.apache.cxf").setLevel(Level.SEVERE);
        Map<String, String> opt = new HashMap<>();
        List<String> modes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                opt.put(args[i].substring(2), args[++i]);
            } else {
                modes.add(args[i]);
            }
        }
        if (!opt.containsKey("url") || modes.isEmpty()) {
            System.err.println("usage: --url BASE --ca PEM [--user U --password P] [--applies-to URI] "
                + "[--client-keystore P12] [--soap 1.1|1.2] 1.3:symmetric 2005:bearer:saml11 ...");
            System.exit(2);
        }
        Bus bus = BusFactory.getDefaultBus();
        TLSClientParameters tls = new TLSClientParameters();
        if (opt.containsKey("ca")) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = new FileInputStream(opt.get("ca"))) {
                int n = 0;
                for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca" + n++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            tls.setTrustManagers(tmf.getTrustManagers());
        }
        tls.setDisableCNCheck(false);
        int failures = 0;
        for (String mode : modes) {
            String[] m = mode.split(":");
            String version = m[0];
            String keyType = m.length > 1 ? m[1] : "symmetric";
            String tokenType = m.length > 2 ? m[2] : "saml20";
            long t0 = System.nanoTime();
            try {
                SecurityToken tok = request(bus, tls, opt, version, keyType, tokenType);
                Element e = tok.getToken();
                System.out.printf("OK   %s  tokenType=%s  token={%s}%s  confirmation=%s  proofKey=%s  (%d ms)%n",
                    mode, tok.getTokenType(), e.getNamespaceURI(), e.getLocalName(), confirmation(e),
                    tok.getSecret() != null ? tok.getSecret().length * 8 + "-bit secret"
                        : tok.getX509Certificate() != null ? "certificate" : "none",
                    (System.nanoTime() - t0) / 1_000_000);
            } catch (Exception ex) {
                failures++;
                Throwable root = ex;
                StringBuilder why = new StringBuilder(String.valueOf(ex.getMessage()));
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                    why.append(" <- ").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage());
                }
                System.out.printf("FAIL %s  %s: %s%n", mode, ex.getClass().getSimpleName(), why);
            }
        }
        bus.shutdown(true);
        System.exit(failures == 0 ? 0 : 1);
    }

    static SecurityToken request(Bus bus, TLSClientParameters tls, Map<String, String> opt, String version,
                                 String keyType, String tokenType) throws Exception {
        boolean v13 = "1.3".equals(version);
        String ns = v13 ? NS13 : NS05;
        String path = v13 ? "/adfs/services/trust/13/usernamemixed" : "/adfs/services/trust/2005/usernamemixed";
        STSClient sts = new STSClient(bus);
        sts.setNamespace(ns);
        sts.setLocation(opt.get("url").replaceAll("/$", "") + path);
        if ("1.2".equals(opt.getOrDefault("soap", "1.2"))) {
            sts.setSoap12();
        } else {
            sts.setSoap11();
        }
        sts.setTlsClientParameters(tls);
        // STSClient speaks WS-Addressing only when the feature is on (a WSDL policy would switch it on);
        // --addressing false sends SOAPAction alone.
        if (!"false".equals(opt.get("addressing"))) {
            sts.setFeatures(List.of(new org.apache.cxf.ws.addressing.WSAddressingFeature()));
        }
        sts.setTokenType("saml11".equals(tokenType) ? SAML11 : SAML20);
        switch (keyType) {
            case "bearer":
                // What STSClient sends for bearer in either namespace: ns + "/Bearer" (no 2005 NoProofKey option).
                sts.setKeyType(ns + "/Bearer");
                break;
            case "publickey":
                sts.setKeyType(ns + "/PublicKey");
                sts.setUseCertificateForConfirmationKeyInfo(true);
                Properties p = new Properties();
                p.put("org.apache.wss4j.crypto.provider", "org.apache.wss4j.common.crypto.Merlin");
                p.put("org.apache.wss4j.crypto.merlin.keystore.type", "pkcs12");
                p.put("org.apache.wss4j.crypto.merlin.keystore.password", "wsconform");
                p.put("org.apache.wss4j.crypto.merlin.keystore.file", opt.getOrDefault("client-keystore", "keys/client.p12"));
                Crypto crypto = CryptoFactory.getInstance(p);
                Map<String, Object> props = new HashMap<>();
                props.put(SecurityConstants.STS_TOKEN_CRYPTO, crypto);
                props.put(SecurityConstants.STS_TOKEN_USERNAME, "client");
                props.put(SecurityConstants.CALLBACK_HANDLER, (CallbackHandler) cbs -> {
                    for (Callback c : cbs) {
                        ((WSPasswordCallback) c).setPassword("wsconform");
                    }
                });
                sts.setProperties(props);
                break;
            default:
                // STSClient's default: SymmetricKey, 256 bits, with requestor entropy (ComputedKey PSHA1).
                break;
        }
        // No WSDL policy here: the UsernameToken and Timestamp come from a WSS4J out interceptor.
        Map<String, Object> wss = new HashMap<>();
        wss.put(WSHandlerConstants.ACTION, WSHandlerConstants.TIMESTAMP + " " + WSHandlerConstants.USERNAME_TOKEN);
        wss.put(WSHandlerConstants.USER, opt.getOrDefault("user", "alice"));
        wss.put(WSHandlerConstants.PASSWORD_TYPE, "PasswordText");
        String password = opt.getOrDefault("password", "ecila");
        wss.put(WSHandlerConstants.PW_CALLBACK_REF, (CallbackHandler) cbs -> {
            for (Callback c : cbs) {
                ((WSPasswordCallback) c).setPassword(password);
            }
        });
        sts.getOutInterceptors().add(new WSS4JOutInterceptor(wss));
        return sts.requestSecurityToken(opt.getOrDefault("applies-to", "urn:wsconform:rp:saml20"));
    }

    /** The SubjectConfirmation method of a SAML 1.1 or 2.0 assertion, shortened to its last segment. */
    static String confirmation(Element assertion) {
        for (String[] q : new String[][] {{"urn:oasis:names:tc:SAML:2.0:assertion", "SubjectConfirmation", "Method"},
                                          {"urn:oasis:names:tc:SAML:1.0:assertion", "ConfirmationMethod", null}}) {
            NodeList l = assertion.getElementsByTagNameNS(q[0], q[1]);
            if (l.getLength() > 0) {
                Element c = (Element) l.item(0);
                String v = q[2] != null ? c.getAttribute(q[2]) : c.getTextContent().trim();
                return v.substring(v.lastIndexOf(':') + 1);
            }
        }
        return "(none)";
    }
}

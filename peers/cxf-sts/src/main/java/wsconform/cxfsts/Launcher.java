package wsconform.cxfsts;

import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URL;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.KeyManagerFactory;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.xml.namespace.QName;

import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.configuration.jsse.TLSServerParameters;
import org.apache.cxf.jaxws.EndpointImpl;
import org.apache.cxf.rt.security.SecurityConstants;
import org.apache.cxf.sts.StaticSTSProperties;
import org.apache.cxf.sts.operation.TokenCancelOperation;
import org.apache.cxf.sts.operation.TokenIssueOperation;
import org.apache.cxf.sts.operation.TokenRenewOperation;
import org.apache.cxf.sts.operation.TokenRequestCollectionOperation;
import org.apache.cxf.sts.operation.TokenValidateOperation;
import org.apache.cxf.sts.service.EncryptionProperties;
import org.apache.cxf.sts.service.ServiceMBean;
import org.apache.cxf.sts.service.StaticService;
import org.apache.cxf.sts.token.canceller.SCTCanceller;
import org.apache.cxf.sts.token.canceller.TokenCanceller;
import org.apache.cxf.sts.token.delegation.SAMLDelegationHandler;
import org.apache.cxf.sts.token.delegation.TokenDelegationHandler;
import org.apache.cxf.sts.token.provider.SAMLTokenProvider;
import org.apache.cxf.sts.token.provider.SCTProvider;
import org.apache.cxf.sts.token.provider.TokenProvider;
import org.apache.cxf.sts.token.renewer.SAMLTokenRenewer;
import org.apache.cxf.sts.token.renewer.TokenRenewer;
import org.apache.cxf.sts.token.validator.SAMLTokenValidator;
import org.apache.cxf.sts.token.validator.SCTValidator;
import org.apache.cxf.sts.token.validator.TokenValidator;
import org.apache.cxf.transport.http_jetty.JettyHTTPServerEngineFactory;
import org.apache.cxf.ws.security.sts.provider.SecurityTokenServiceProvider;
import org.apache.cxf.ws.security.tokenstore.MemoryTokenStore;
import org.apache.cxf.ws.security.tokenstore.TokenStore;
import org.apache.wss4j.common.crypto.Crypto;
import org.apache.wss4j.common.crypto.CryptoFactory;
import org.apache.wss4j.common.ext.WSPasswordCallback;

/**
 * Starts Apache CXF's STS (WS-Trust 1.3/1.4: Issue, Validate, Renew; Cancel only for SecureConversation tokens) on
 * 127.0.0.1 over TLS with a UsernameToken policy, for wsconform's interop tests. Configuration comes from system
 * properties set by start.sh: sts.port, sts.keys (folder made by install.sh).
 */
public final class Launcher {
    static final String NS = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/";
    static final String STORE_PASSWORD = "wsconform";
    static final Map<String, String> USERS = Map.of("alice", "ecila", "bob", "bob");
    /** AppliesTo values, matched as regular expressions by CXF's StaticService (wsconform's demo realms). */
    static final List<String> REALMS = Arrays.asList(
        "urn:wsconform:rp:saml20",
        "urn:wsconform:rp:saml11",
        "https://rp\\.wsconform\\.test/app/",
        "urn:wsconform:rp:no-encryption");

    private Launcher() {
    }

    /** Passwords: the demo users' UsernameToken passwords and the keystore's private key password. */
    static final class Passwords implements CallbackHandler {
        @Override
        public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
            for (Callback c : callbacks) {
                if (!(c instanceof WSPasswordCallback)) {
                    throw new UnsupportedCallbackException(c);
                }
                WSPasswordCallback pc = (WSPasswordCallback) c;
                String user = USERS.get(pc.getIdentifier());
                if (pc.getUsage() == WSPasswordCallback.USERNAME_TOKEN) {
                    if (user != null) {
                        pc.setPassword(user);
                    }
                } else {
                    pc.setPassword(STORE_PASSWORD);
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("org.apache.cxf").setLevel(Level.WARNING);
        int port = Integer.parseInt(System.getProperty("sts.port", "9443"));
        String keys = System.getProperty("sts.keys", "keys");
        long t0 = System.nanoTime();

        Properties merlin = new Properties();
        merlin.put("org.apache.wss4j.crypto.provider", "org.apache.wss4j.common.crypto.Merlin");
        merlin.put("org.apache.wss4j.crypto.merlin.keystore.type", "pkcs12");
        merlin.put("org.apache.wss4j.crypto.merlin.keystore.password", STORE_PASSWORD);
        merlin.put("org.apache.wss4j.crypto.merlin.keystore.file", keys + "/sts.p12");
        merlin.put("org.apache.wss4j.crypto.merlin.truststore.type", "pkcs12");
        merlin.put("org.apache.wss4j.crypto.merlin.truststore.password", STORE_PASSWORD);
        merlin.put("org.apache.wss4j.crypto.merlin.truststore.file", keys + "/sts.p12");
        Crypto crypto = CryptoFactory.getInstance(merlin);
        Passwords passwords = new Passwords();

        StaticSTSProperties props = new StaticSTSProperties();
        props.setSignatureCrypto(crypto);
        props.setSignatureUsername("sts");
        props.setEncryptionCrypto(crypto);
        props.setEncryptionUsername("rp");
        props.setCallbackHandler(passwords);
        props.setIssuer(System.getProperty("sts.issuer", "wsconform-cxf-sts"));
        // PublicKey: accept a UseKey certificate the STS does not trust (the requestor's own key).
        props.setValidateUseKey(false);

        EncryptionProperties enc = new EncryptionProperties();
        enc.setEncryptionAlgorithm("http://www.w3.org/2001/04/xmlenc#aes256-cbc");
        enc.setKeyWrapAlgorithm("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p");
        StaticService service = new StaticService();
        service.setEndpoints(REALMS);
        service.setEncryptionProperties(enc);
        List<ServiceMBean> services = List.of(service);

        TokenStore store = new MemoryTokenStore();
        List<TokenValidator> validators = new ArrayList<>(List.of(new SAMLTokenValidator(), new SCTValidator()));
        List<TokenProvider> providers = new ArrayList<>(List.of(new SAMLTokenProvider(), new SCTProvider()));
        List<TokenDelegationHandler> delegation = new ArrayList<>(List.of(new SAMLDelegationHandler()));

        TokenIssueOperation issue = new TokenIssueOperation();
        issue.setStsProperties(props);
        issue.setServices(services);
        issue.setTokenProviders(providers);
        issue.setTokenValidators(validators);
        issue.setDelegationHandlers(delegation);
        issue.setTokenStore(store);
        issue.setIncludeLifetimeElement(true);

        TokenValidateOperation validate = new TokenValidateOperation();
        validate.setStsProperties(props);
        validate.setTokenValidators(validators);
        validate.setTokenStore(store);

        SAMLTokenRenewer samlRenewer = new SAMLTokenRenewer();
        samlRenewer.setAllowRenewalAfterExpiry(true);
        // Bearer tokens have no key to prove: with the default (true) CXF refuses to renew any bearer token.
        samlRenewer.setVerifyProofOfPossession(false);
        TokenRenewOperation renew = new TokenRenewOperation();
        renew.setStsProperties(props);
        renew.setServices(services);
        renew.setTokenValidators(validators);
        renew.setTokenRenewers(new ArrayList<TokenRenewer>(List.of(samlRenewer)));
        renew.setTokenStore(store);
        renew.setIncludeLifetimeElement(true);

        TokenCancelOperation cancel = new TokenCancelOperation();
        cancel.setStsProperties(props);
        cancel.setTokenCancellers(new ArrayList<TokenCanceller>(List.of(new SCTCanceller())));
        cancel.setTokenStore(store);

        SecurityTokenServiceProvider provider = new SecurityTokenServiceProvider();
        provider.setIssueOperation(issue);
        provider.setValidateOperation(validate);
        provider.setRenewOperation(renew);
        provider.setCancelOperation(cancel);
        // RequestSecurityTokenCollection (batch): each RST goes to the Issue or Validate operation.
        TokenRequestCollectionOperation collection = new TokenRequestCollectionOperation();
        collection.setIssueSingleOperation(issue);
        collection.setValidateOperation(validate);
        collection.setRenewOperation(renew);
        collection.setCancelOperation(cancel);
        provider.setRequestCollectionOperation(collection);

        Bus bus = BusFactory.getDefaultBus();
        JettyHTTPServerEngineFactory jetty = bus.getExtension(JettyHTTPServerEngineFactory.class);
        TLSServerParameters tls = new TLSServerParameters();
        KeyStore tlsStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keys + "/tls.p12")) {
            tlsStore.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(tlsStore, STORE_PASSWORD.toCharArray());
        tls.setKeyManagers(kmf.getKeyManagers());
        jetty.setTLSServerParametersForPort("127.0.0.1", port, tls);

        URL wsdl = Launcher.class.getResource("/wsconform-sts.wsdl");
        EndpointImpl ep = new EndpointImpl(bus, provider);
        ep.setWsdlLocation(wsdl.toString());
        ep.setServiceName(new QName(NS, "SecurityTokenService"));
        ep.setEndpointName(new QName(NS, "UT_Port"));
        ep.getProperties().put(SecurityConstants.CALLBACK_HANDLER, passwords);
        // CXF hides WS-Security fault codes behind a generic wss4j:SecurityError unless told otherwise
        // (-Dsts.genericFaults=true keeps that default).
        boolean detailed = !Boolean.getBoolean("sts.genericFaults");
        ep.getProperties().put(org.apache.cxf.ws.security.SecurityConstants.RETURN_SECURITY_ERROR, detailed);
        // PublicKey requests prove possession with a signature by a key the requestor made itself: verify it,
        // but do not require that certificate to chain to the STS's trust store (the UsernameToken authenticates).
        ep.getProperties().put(org.apache.cxf.ws.security.SecurityConstants.SIGNATURE_TOKEN_VALIDATOR, new ProofKeyValidator());
        // The Basic256Sha256 suite still names rsa-sha1 for asymmetric signatures; accept RSA-SHA256 proof signatures.
        ep.getProperties().put(org.apache.cxf.ws.security.SecurityConstants.ASYMMETRIC_SIGNATURE_ALGORITHM,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
        String path = "/SecurityTokenService/UT";
        String base = "https://127.0.0.1:" + port;
        ep.publish(base + path);

        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                ep.stop();
                bus.shutdown(true);
            } finally {
                stop.countDown();
            }
        }));
        System.out.println("CXF STS ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        System.out.println("endpoint 1.3 username: " + base + path);
        System.out.println(base);
        System.out.flush();
        stop.await();
    }
}

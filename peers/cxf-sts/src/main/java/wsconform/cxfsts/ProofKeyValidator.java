package wsconform.cxfsts;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import org.apache.wss4j.common.ext.WSSecurityException;
import org.apache.wss4j.dom.handler.RequestData;
import org.apache.wss4j.dom.validate.Credential;
import org.apache.wss4j.dom.validate.SignatureTrustValidator;

/**
 * Message signatures at this endpoint only prove possession of a PublicKey (UseKey) key: the signature value is
 * still verified by WSS4J, the certificate must be within its validity period, but it need not chain to a trusted
 * CA. The requestor is authenticated by its UsernameToken, never by this signature.
 */
final class ProofKeyValidator extends SignatureTrustValidator {
    @Override
    public Credential validate(Credential credential, RequestData data) throws WSSecurityException {
        if (credential == null || (credential.getCertificates() == null && credential.getPublicKey() == null)) {
            throw new WSSecurityException(WSSecurityException.ErrorCode.FAILURE, "noCredential");
        }
        X509Certificate[] certs = credential.getCertificates();
        if (certs != null) {
            for (X509Certificate c : certs) {
                try {
                    c.checkValidity();
                } catch (CertificateException e) {
                    throw new WSSecurityException(WSSecurityException.ErrorCode.FAILED_CHECK, e);
                }
            }
        }
        return credential;
    }
}

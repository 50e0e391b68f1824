package wsconform.fediz;

import java.io.File;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * One embedded Tomcat 9 on 127.0.0.1 over HTTPS serving the Fediz IdP (/fediz-idp) and its STS (/fediz-idp-sts)
 * from extracted WAR folders that start.mjs prepared. Prints "started PORT" when both contexts are up; a context
 * that fails to start ends the process with status 4.
 *
 * System properties: fediz.port, fediz.host (127.0.0.1), fediz.idpDir, fediz.stsDir, fediz.keystore (PKCS12),
 * fediz.storepass, fediz.workDir.
 */
public final class Launcher {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("fediz.host", "127.0.0.1");
    int port = Integer.parseInt(System.getProperty("fediz.port", "9443"));
    File work = new File(System.getProperty("fediz.workDir", "tomcat"));
    work.mkdirs();

    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(work.getAbsolutePath());
    tomcat.setHostname(host);

    Connector https = new Connector("org.apache.coyote.http11.Http11NioProtocol");
    https.setPort(port);
    https.setProperty("address", host);
    https.setSecure(true);
    https.setScheme("https");
    https.setProperty("SSLEnabled", "true");
    SSLHostConfig ssl = new SSLHostConfig();
    SSLHostConfigCertificate cert = new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.RSA);
    cert.setCertificateKeystoreFile(new File(System.getProperty("fediz.keystore")).getAbsolutePath());
    cert.setCertificateKeystorePassword(System.getProperty("fediz.storepass"));
    cert.setCertificateKeystoreType("PKCS12");
    cert.setCertificateKeyAlias(System.getProperty("fediz.keyAlias", "tls"));
    ssl.addCertificate(cert);
    // The IdP authenticates to its STS's RP-token endpoint with a TLS client certificate: ask for one (browsers
    // without a certificate still get through) and trust the IdP's.
    String trust = System.getProperty("fediz.truststore");
    if (trust != null) {
      ssl.setCertificateVerification("optional");
      ssl.setTruststoreFile(new File(trust).getAbsolutePath());
      ssl.setTruststorePassword(System.getProperty("fediz.storepass"));
      ssl.setTruststoreType("PKCS12");
    }
    https.addSslHostConfig(ssl);
    tomcat.setConnector(https);

    Context idp = tomcat.addWebapp("/fediz-idp", new File(System.getProperty("fediz.idpDir")).getAbsolutePath());
    Context sts = tomcat.addWebapp("/fediz-idp-sts", new File(System.getProperty("fediz.stsDir")).getAbsolutePath());
    for (Context c : new Context[] {sts, idp}) {
      // The WARs predate Servlet 3 scanning needs: skip jar scanning (start-up time) but keep TLD scanning for JSTL.
      c.getJarScanner().setJarScanFilter((type, name) -> type == org.apache.tomcat.JarScanType.TLD && name.startsWith("spring-"));
    }
    tomcat.start();
    for (Context c : new Context[] {sts, idp}) {
      if (!c.getState().isAvailable()) {
        System.err.println("fediz launcher: context " + c.getPath() + " failed to start (" + c.getState() + ")");
        tomcat.stop();
        System.exit(4);
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try { tomcat.stop(); tomcat.destroy(); } catch (Exception ignored) { }
    }));
    System.out.println("started " + https.getLocalPort());
    System.out.flush();
    tomcat.getServer().await();
  }
}

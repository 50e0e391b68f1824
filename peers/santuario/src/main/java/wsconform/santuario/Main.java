package wsconform.santuario;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.xml.security.Init;
import org.apache.xml.security.signature.Reference;
import org.apache.xml.security.signature.SignedInfo;
import org.apache.xml.security.signature.XMLSignature;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

/**
 * Verifies every ds:Signature in each file with Apache Santuario against one pinned certificate (KeyInfo is never
 * read), with Santuario's secure validation on and a parser that refuses DTDs and external entities.
 *
 * <pre>
 * Main --cert CERT.pem --id-attr "ATTR NS-URI:LOCALNAME" [--id-attr ...] FILE...
 * </pre>
 *
 * The ID attributes are registered on the elements of the given type only (like xmlsec1's --id-attr). Output: one
 * JSON object per file and line, in argument order:
 * {"file":F,"error":null|MSG,"signatures":[{"verdict":"valid"|"invalid","detail":MSG},...]} with the signatures in
 * document order. Exit status 0 when every file was processed (whatever the verdicts), 2 on bad arguments.
 */
public final class Main {
  private static final String DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";

  private record IdAttr(String attribute, String namespace, String localName) {}

  public static void main(String[] args) throws Exception {
    String certFile = null;
    List<IdAttr> idAttrs = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--cert" -> certFile = args[++i];
        case "--id-attr" -> {
          String[] parts = args[++i].trim().split("\\s+", 2);
          int colon = parts[1].lastIndexOf(':');
          idAttrs.add(new IdAttr(parts[0], colon < 0 ? null : parts[1].substring(0, colon), parts[1].substring(colon + 1)));
        }
        default -> files.add(args[i]);
      }
    }
    if (certFile == null || files.isEmpty()) {
      System.err.println("usage: Main --cert CERT.pem --id-attr 'ATTR NS:LOCAL' ... FILE...");
      System.exit(2);
    }
    // Santuario logs each failed check through System.Logger (java.util.logging): the verdicts go to stdout instead.
    java.util.logging.LogManager.getLogManager().reset();
    Init.init();
    PublicKey key;
    try (InputStream in = new FileInputStream(certFile)) {
      key = ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getPublicKey();
    }
    DocumentBuilder builder = secureBuilder();
    StringBuilder out = new StringBuilder();
    for (String file : files) {
      out.setLength(0);
      out.append("{\"file\":").append(json(file));
      Document doc;
      try {
        builder.reset();
        doc = builder.parse(Files.newInputStream(Path.of(file)));
      } catch (Exception e) {
        out.append(",\"error\":").append(json("parse: " + message(e))).append(",\"signatures\":[]}");
        System.out.println(out);
        continue;
      }
      registerIds(doc, idAttrs);
      out.append(",\"error\":null,\"signatures\":[");
      NodeList sigs = doc.getElementsByTagNameNS(DSIG_NS, "Signature");
      for (int s = 0; s < sigs.getLength(); s++) {
        if (s > 0) out.append(',');
        String[] v = verify((Element) sigs.item(s), key);
        out.append("{\"verdict\":").append(json(v[0])).append(",\"detail\":").append(json(v[1])).append('}');
      }
      out.append("]}");
      System.out.println(out);
    }
    System.out.flush();
  }

  private static String[] verify(Element sigElement, PublicKey key) {
    try {
      XMLSignature sig = new XMLSignature(sigElement, "", true);
      if (sig.checkSignatureValue(key)) return new String[] {"valid", "signature and references verify"};
      // Tell a bad SignatureValue from a bad reference digest.
      SignedInfo si = sig.getSignedInfo();
      for (int r = 0; r < si.getLength(); r++) {
        Reference ref = si.item(r);
        try {
          if (!ref.verify()) return new String[] {"invalid", "digest mismatch on reference " + r + " (URI=" + ref.getURI() + ")"};
        } catch (Exception e) {
          return new String[] {"invalid", "reference " + r + ": " + message(e)};
        }
      }
      return new String[] {"invalid", "SignatureValue does not verify"};
    } catch (Exception | StackOverflowError e) {
      return new String[] {"invalid", "error: " + message(e)};
    }
  }

  private static void registerIds(Document doc, List<IdAttr> idAttrs) {
    NodeList all = doc.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      for (IdAttr a : idAttrs) {
        boolean nsMatch = a.namespace() == null ? e.getNamespaceURI() == null : a.namespace().equals(e.getNamespaceURI());
        if (nsMatch && a.localName().equals(e.getLocalName()) && e.hasAttributeNS(null, a.attribute())) {
          e.setIdAttributeNS(null, a.attribute(), true);
        }
      }
    }
  }

  private static DocumentBuilder secureBuilder() throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    DocumentBuilder b = f.newDocumentBuilder();
    b.setErrorHandler(new ErrorHandler() {
      public void warning(SAXParseException e) {}
      public void error(SAXParseException e) throws SAXParseException { throw e; }
      public void fatalError(SAXParseException e) throws SAXParseException { throw e; }
    });
    b.setEntityResolver((publicId, systemId) -> { throw new SecurityException("external entity refused: " + systemId); });
    return b;
  }

  private static String message(Throwable e) {
    String m = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    Throwable c = e.getCause();
    if (c != null && c != e && c.getMessage() != null && (e.getMessage() == null || !e.getMessage().contains(c.getMessage()))) {
      m += " (" + c.getClass().getSimpleName() + ": " + c.getMessage() + ")";
    }
    return m.replaceAll("\\s+", " ").trim();
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }
}

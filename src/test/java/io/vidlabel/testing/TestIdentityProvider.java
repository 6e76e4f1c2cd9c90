package io.vidlabel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * Stands in for an OIDC identity provider (Keycloak, Entra ID, Auth0, ...): an RSA signing key
 * made for the test, its public half written as the JWKS or PEM file the service is pointed at,
 * and access tokens signed with it.
 */
public final class TestIdentityProvider {

  /** Issuer of the tokens, shaped like a Keycloak realm's. */
  public static final String ISSUER = "https://idp.example.test/realms/vidlabel";

  private final RsaJsonWebKey key;

  /** A new 2048-bit key; {@code keyId} goes into the JWKS and every token's header. */
  public TestIdentityProvider(String keyId) {
    try {
      key = RsaJwkGenerator.generateJwk(2048);
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
    key.setKeyId(keyId);
  }

  /** The public key as a JWKS document, what the provider's JWKS URL serves. */
  public String jwks() {
    return new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
  }

  /** Writes {@link #jwks()} to a file. */
  public Path writeJwks(Path file) {
    return write(file, jwks());
  }

  /** Writes the public key as a PEM file. */
  public Path writePem(Path file) {
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getRsaPublicKey().getEncoded());
    return write(file, "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n");
  }

  /** Standard claims of an access token: issuer, subject, audience, issued now, expiring after {@code validFor}. */
  public static JwtClaims claims(String issuer, String audience, Duration validFor) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(issuer);
    claims.setSubject("alice");
    claims.setAudience(audience);
    claims.setIssuedAt(NumericDate.fromSeconds(Instant.now().getEpochSecond()));
    claims.setExpirationTime(NumericDate.fromSeconds(Instant.now().plus(validFor).getEpochSecond()));
    return claims;
  }

  /** The claims as a compact JWS signed with RS256 by this provider's key. */
  public String sign(JwtClaims claims) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(key.getPrivateKey());
    jws.setKeyIdHeaderValue(key.getKeyId());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

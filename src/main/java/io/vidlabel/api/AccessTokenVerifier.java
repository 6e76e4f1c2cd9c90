package io.vidlabel.api;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vidlabel.config.VidlabelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.lang.JoseException;

/**
 * Checks OAuth2/OIDC access tokens (signed JWTs) the way a resource server does: signature by one
 * of the identity provider's keys, expiry, issuer, audience if configured, then whether the roles
 * claim holds the admin role. It uses the SmallRye JWT library, not the quarkus-smallrye-jwt
 * extension, because the extension authenticates every {@code Bearer} header itself, which would
 * also swallow the static admin token of {@code vidlabel.admin.auth=token}.
 *
 * <p>The roles are read from the configured claim of the token as signed ({@code groups} by
 * default, a path such as {@code realm_access/roles} for nested claims). The library's own groups
 * mapping is not used: it prefers a {@code groups} claim over a configured path when a token
 * carries both, and adds roles from a {@code roleMappings} claim.
 */
final class AccessTokenVerifier {

  /** A token that does not prove anything: {@link #getMessage()} is safe to tell the caller. */
  static final class InvalidToken extends Exception {
    InvalidToken(String publicMessage, Throwable cause) {
      super(publicMessage, cause);
    }
  }

  /** Only asymmetric algorithms: a resource server never holds the secret an HMAC needs. */
  private static final Set<SignatureAlgorithm> ALGORITHMS = EnumSet.complementOf(
      EnumSet.of(SignatureAlgorithm.HS256, SignatureAlgorithm.HS384, SignatureAlgorithm.HS512));

  // Holds the key resolver (and for an https location the cached JWKS) after the first token.
  private final DefaultJWTTokenParser parser = new DefaultJWTTokenParser();
  private final JWTAuthContextInfo context;
  private final String rolesClaim;
  private final String role;

  private AccessTokenVerifier(JWTAuthContextInfo context, String rolesClaim, String role) {
    this.context = context;
    this.rolesClaim = rolesClaim;
    this.role = role;
  }

  /**
   * A verifier for these settings.
   *
   * @throws IllegalStateException naming the missing or unusable setting
   */
  static AccessTokenVerifier create(VidlabelConfig.Admin.Oidc oidc) {
    String issuer = required(oidc.issuer(), "issuer",
        "the iss claim of your identity provider's access tokens, e.g. https://HOST/realms/REALM for Keycloak");
    String location = required(oidc.publicKeyLocation(), "public-key-location",
        "the identity provider's JWKS URL (Keycloak: https://HOST/realms/REALM/protocol/openid-connect/certs)"
            + " or a JWKS or PEM file holding its public keys");
    checkReadable(location);
    JWTAuthContextInfo context = new JWTAuthContextInfo(location, issuer);
    context.setSignatureAlgorithm(ALGORITHMS);
    oidc.audience().filter(a -> !a.isBlank()).ifPresent(a -> context.setExpectedAudience(Set.of(a)));
    return new AccessTokenVerifier(context, oidc.rolesClaim(), oidc.role());
  }

  /**
   * Whether a valid token carries the admin role.
   *
   * @throws InvalidToken if the token is malformed, expired, not signed by the identity provider,
   *     or for another issuer or audience
   */
  boolean grantsAdmin(String token) throws InvalidToken {
    JwtContext verified;
    try {
      verified = parser.parse(token, context);
    } catch (ParseException e) {
      boolean expired = e.getCause() instanceof InvalidJwtException invalid && invalid.hasExpired();
      throw new InvalidToken(expired ? "the access token has expired"
          : "the access token is not valid here (malformed, or not signed by the configured issuer for this audience)", e);
    }
    // The claims as signed: the parser rewrites "groups" in its own copy (splits a string, applies a
    // roleMappings claim).
    try {
      String payload = verified.getJoseObjects().get(0).getPayload();
      return roles(JwtClaims.parse(payload).getClaimsMap()).contains(role);
    } catch (InvalidJwtException | JoseException e) {
      throw new InvalidToken("the access token's claims cannot be read", e);
    }
  }

  /**
   * What the roles claim holds: a JSON array of strings, or one space-separated string. A
   * top-level claim of exactly that name comes first (Auth0's custom claims are URLs, slashes
   * included); otherwise each {@code /} goes one object deeper.
   */
  private Set<String> roles(Map<String, Object> claims) {
    Object value = claims.get(rolesClaim);
    if (value == null) {
      value = claims;
      for (String name : rolesClaim.split("/")) {
        value = value instanceof Map<?, ?> map ? map.get(name) : null;
      }
    }
    if (value instanceof List<?> list) {
      return list.stream().filter(String.class::isInstance).map(String.class::cast).collect(Collectors.toSet());
    }
    if (value instanceof String s) {
      return Arrays.stream(s.split(" ")).collect(Collectors.toSet());
    }
    return Set.of();
  }

  private static String required(Optional<String> value, String key, String what) {
    return value.filter(v -> !v.isBlank()).orElseThrow(() -> new IllegalStateException(
        "vidlabel.admin.auth=oidc needs vidlabel.admin.oidc." + key + ": " + what));
  }

  /** A file location must be readable now, not at the first admin request. */
  private static void checkReadable(String location) {
    if (location.startsWith("https:") || location.startsWith("http:") || location.startsWith("classpath:")) {
      return;
    }
    Path file = Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location);
    if (!Files.isReadable(file)) {
      throw new IllegalStateException("vidlabel.admin.oidc.public-key-location: cannot read " + file);
    }
  }
}

/*
 * A stand-in for Windows' bcryptprimitives.dll, for running our Windows
 * test binaries under Wine 8 (Debian 12's wine64).
 *
 * Why: since Go 1.22 the Windows runtime draws its random bytes from
 * ProcessPrng in bcryptprimitives.dll, loaded from System32 before main
 * runs, and stops with "bcryptprimitives.dll not found" when it is missing.
 * Windows 10 and later have it; Wine gained it only in 9.x. This DLL
 * exports that one function, built from the random source Wine 8 does
 * have (advapi32's RtlGenRandom, exported as SystemFunction036), and
 * .ci/wine/test-windows copies it into the Wine prefix's System32. It is
 * never shipped: real Windows uses its own.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

/* ProcessPrng fills data with len random bytes. Windows documents it as
 * never failing; RtlGenRandom takes a ULONG, so larger requests go in
 * pieces. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

/* The pure step of capture.c that unit tests drive. */
#ifndef LAB_CAPTURE_PRIV_H
#define LAB_CAPTURE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#define CAPTURE_VLAN_TAG_LEN 4

/* Puts back the 802.1Q tag the kernel took out of a frame (VLAN
 * offload leaves it in PACKET_AUXDATA), after the two MAC addresses, as
 * libpcap does: buf holds CAPTURE_VLAN_TAG_LEN spare octets, then len
 * octets of the frame as received. The frame then starts at buf; its new
 * length is returned. A frame shorter than the two addresses is left
 * where it is (at buf + CAPTURE_VLAN_TAG_LEN) and 0 is returned. */
size_t capture_insert_vlan(uint8_t *buf, size_t len, uint16_t tpid, uint16_t tci);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One I2C bus interface for sensor drivers, with two backends:
 *   - i2c-dev (i2c_dev.c): /dev/i2c-N on a real board, combined transfers
 *     through ioctl(I2C_RDWR), retries on EAGAIN/EREMOTEIO/ETIMEDOUT;
 *   - virtual (i2c_virtual.c): emulated devices attached at 7-bit
 *     addresses, answering like real register-addressed chips (an address
 *     nobody answers on is a NACK: -ENXIO, as i2c-dev reports it).
 *
 * Register helpers speak the usual camera-sensor protocol: a write message
 * of [reg (1 or 2 bytes, MSB first)][data...] and, for reads, a combined
 * write [reg] + repeated-start read of N bytes (MSB first for 16-bit
 * values).
 *
 * Contract: calls return 0 or a negative errno. Every failure is also
 * recorded as text in bus->last_error, in the form
 *   "i2c-3 addr 0x30 reg 0x3107: read failed: No such device or address"
 * so that callers can print it without rebuilding it. A bus handle is used
 * by one thread at a time (the sensor driver's caller serialises); the one
 * exception is lumen_i2c_shown(), which any thread may call while another
 * transfers (the status API reads the counters while the ISP thread writes
 * exposure). Writers therefore update ctr and last_error under shown_lock.
 */
#ifndef LUMEN_I2C_I2C_H
#define LUMEN_I2C_I2C_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define LUMEN_I2C_M_RD 0x0001	/* message reads from the device */

struct lumen_i2c_msg {
	uint16_t addr;		/* 7-bit address */
	uint16_t flags;		/* LUMEN_I2C_M_RD or 0 */
	uint16_t len;
	uint8_t *buf;
};

struct lumen_i2c_counters {
	uint64_t transfers;	/* lumen_i2c_transfer() calls */
	uint64_t messages;
	uint64_t errors;	/* transfers that failed after all retries */
	uint64_t nacks;		/* of those: no device answered (-ENXIO/-EREMOTEIO) */
	uint64_t retries;
};

struct lumen_i2c_bus;

struct lumen_i2c_bus_ops {
	/* Performs @n messages as one combined transfer (repeated starts). */
	int (*transfer)(struct lumen_i2c_bus *bus, struct lumen_i2c_msg *msgs,
			int n);
	void (*close)(struct lumen_i2c_bus *bus);
};

struct lumen_i2c_bus {
	const struct lumen_i2c_bus_ops *ops;
	int number;			/* N of /dev/i2c-N, or of the virtual bus */
	const char *backend;		/* "i2c-dev" or "virtual" */
	int retries;			/* extra attempts on transient errors */
	struct lumen_i2c_counters ctr;	/* written under shown_lock */
	char last_error[160];		/* written under shown_lock */
	pthread_mutex_t shown_lock;	/* lumen_i2c_bus_init() sets it up */
	void *priv;
};

/* For backends: sets up the common part of a zeroed bus. */
void lumen_i2c_bus_init(struct lumen_i2c_bus *bus, const struct lumen_i2c_bus_ops *ops,
			int number, const char *backend, void *priv);

/*
 * Records @fmt as the bus's last_error (for sensor drivers that find an
 * error the bus itself cannot see, e.g. a wrong chip id).
 */
void lumen_i2c_set_error(struct lumen_i2c_bus *bus, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A consistent copy of the counters and of last_error, safe from any
 * thread while another thread transfers. @err may be NULL.
 */
void lumen_i2c_shown(struct lumen_i2c_bus *bus, struct lumen_i2c_counters *ctr,
		     char *err, size_t errlen);

/* Opens /dev/i2c-@number. 0 or -errno (message in last_error of no bus: see errno text). */
int lumen_i2c_open_dev(int number, struct lumen_i2c_bus **out);
/* The same, writing "/dev/i2c-N: cannot open: reason" into @err on failure. */
int lumen_i2c_open_dev_msg(int number, struct lumen_i2c_bus **out, char *err,
			   size_t errlen);

/* A virtual bus with no devices yet. */
int lumen_i2c_virtual_create(int number, struct lumen_i2c_bus **out);

/*
 * An emulated device on a virtual bus. write() gets the bytes of one write
 * message, read() fills the bytes of one read message; a device keeps its
 * own register pointer (set by the first bytes of a write) as real chips
 * do. Return 0, or a negative errno to NACK (-ENXIO: address phase,
 * -EIO: data phase). Called on the thread that does the transfer.
 */
struct lumen_i2c_device_ops {
	int (*write)(void *opaque, const uint8_t *buf, size_t len);
	int (*read)(void *opaque, uint8_t *buf, size_t len);
};

/* 0, -EBUSY (address taken), -EINVAL (not virtual, bad address). */
int lumen_i2c_virtual_attach(struct lumen_i2c_bus *bus, uint16_t addr,
			     const struct lumen_i2c_device_ops *ops,
			     void *opaque);
void lumen_i2c_virtual_detach(struct lumen_i2c_bus *bus, uint16_t addr);

/* Closes either backend (NULL is fine). */
void lumen_i2c_close(struct lumen_i2c_bus *bus);

/* Raw transfer with the bus's retries and counters. */
int lumen_i2c_transfer(struct lumen_i2c_bus *bus, struct lumen_i2c_msg *msgs,
		       int n);

/*
 * Register access: @reg_bytes 1 or 2 (address width), @val_bytes 1, 2 or 4
 * (value width, MSB first on the wire).
 */
int lumen_i2c_read_reg(struct lumen_i2c_bus *bus, uint16_t addr, uint16_t reg,
		       int reg_bytes, int val_bytes, uint32_t *val);
int lumen_i2c_write_reg(struct lumen_i2c_bus *bus, uint16_t addr,
			uint16_t reg, int reg_bytes, int val_bytes,
			uint32_t val);

#endif

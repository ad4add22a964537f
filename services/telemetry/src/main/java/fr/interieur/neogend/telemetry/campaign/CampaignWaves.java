package fr.interieur.neogend.telemetry.campaign;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;

/**
 * Moves every running campaign on at a steady pace ({@code neogend.campaigns.tick}, 30 s by default):
 * halts, next waves, completion. Each campaign is advanced in its own transaction, under its row lock,
 * so several replicas of telemetry never start a wave twice.
 */
@Component
public class CampaignWaves implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CampaignWaves.class);

    private final CampaignService campaigns;
    private final Duration tick;
    private volatile Thread worker;
    private volatile boolean running;

    CampaignWaves(CampaignService campaigns, @Value("${neogend.campaigns.tick:30s}") Duration tick) {
        this.campaigns = campaigns;
        this.tick = tick;
    }

    /** One pass over the running campaigns; returns how many were looked at. */
    public int advanceAll() {
        int n = 0;
        for (String id : campaigns.running()) {
            try {
                campaigns.advance(id);
            } catch (RuntimeException e) { // one campaign's trouble never stops the others
                log.warn("ROM campaign {} not advanced: {}", id, e.toString());
            }
            n++;
        }
        return n;
    }

    @Override
    public void start() {
        running = true;
        worker = Thread.ofVirtual().name("update-campaign-waves").start(() -> {
            while (running) {
                try {
                    Thread.sleep(tick);
                    advanceAll();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    log.warn("ROM campaign pass failed: {}", e.toString());
                }
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        if (worker != null) {
            worker.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
